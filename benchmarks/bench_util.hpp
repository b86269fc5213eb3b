// Tiny timing harness shared by the benchmarks: median of repetitions, nanoseconds per operation, and a
// global allocation counter (operator new is replaced in the benchmark executables that include this).
#pragma once

// g++ 12 at -O2/-O3 flags free() on memory from the replaced operator new below as a mismatch once both are
// inlined; they are a matching pair (malloc/free), so the warning is off for the benchmarks that include this.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

namespace bench {

inline std::atomic<std::size_t> allocations{0};

struct figure {
    double median_ns;
    double min_ns;
    double max_ns;
};

// Runs `body(iterations)` `repetitions` times and reports ns per iteration.
template <class Body>
figure measure(std::size_t iterations, int repetitions, Body&& body) {
    std::vector<double> samples;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        body(iterations);
        const auto stop = std::chrono::steady_clock::now();
        samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() /
                          static_cast<double>(iterations));
    }
    std::sort(samples.begin(), samples.end());
    return {samples[samples.size() / 2], samples.front(), samples.back()};
}

inline void row(const char* scenario, figure cep_figure, const char* baseline, figure base_figure) {
    std::printf("%-34s %9.2f ns [%7.2f..%7.2f]  %-28s %9.2f ns  ratio %5.2f\n", scenario, cep_figure.median_ns,
                cep_figure.min_ns, cep_figure.max_ns, baseline, base_figure.median_ns,
                cep_figure.median_ns / base_figure.median_ns);
}

template <class T>
inline void keep(T&& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

}  // namespace bench

// Counting replacement of the global allocation functions.
// Every replaceable form that a sanitizer's runtime could otherwise pair with its own: all of them allocate with
// malloc and free with free, so new/delete always match.
void* operator new(std::size_t size) {
    bench::allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    bench::allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
