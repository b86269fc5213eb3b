// SHA-256 (FIPS 180-4), for content addresses: the digest names a payload in the content store (cas/<digest>).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace cep::detail {

class sha256 {
public:
    void update(std::span<const std::byte> data) noexcept {
        const auto* at = reinterpret_cast<const std::uint8_t*>(data.data());
        std::size_t left = data.size();
        length_ += left;
        // Whole blocks are compressed where they lie; only a partial block is copied.
        if (fill_ != 0) {
            const std::size_t take = left < 64 - fill_ ? left : 64 - fill_;
            std::memcpy(block_.data() + fill_, at, take);
            fill_ += take;
            at += take;
            left -= take;
            if (fill_ < 64) return;
            compress(block_.data());
            fill_ = 0;
        }
        for (; left >= 64; at += 64, left -= 64) compress(at);
        if (left != 0) std::memcpy(block_.data(), at, left);
        fill_ = left;
    }

    [[nodiscard]] std::array<std::uint8_t, 32> finish() noexcept {
        const std::uint64_t bits = length_ * 8;
        block_[fill_++] = 0x80;
        if (fill_ > 56) {
            while (fill_ < 64) block_[fill_++] = 0;
            compress(block_.data());
            fill_ = 0;
        }
        while (fill_ < 56) block_[fill_++] = 0;
        for (int i = 7; i >= 0; --i) block_[fill_++] = static_cast<std::uint8_t>(bits >> (i * 8));
        compress(block_.data());
        std::array<std::uint8_t, 32> out{};
        for (std::size_t i = 0; i < 8; ++i)
            for (std::size_t j = 0; j < 4; ++j) out[i * 4 + j] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * j));
        return out;
    }

    // Lower-case hex of the digest of `data`: all 64 digits, or the first `digits` of them (a short prefix fits in
    // the string's own buffer: nothing allocated).
    [[nodiscard]] static std::string hex(std::span<const std::byte> data, std::size_t digits = 64) {
        sha256 h;
        h.update(data);
        const auto digest = h.finish();
        constexpr char hex_digits[] = "0123456789abcdef";
        std::string out(digits < 64 ? digits : 64, '0');
        for (std::size_t i = 0; i < out.size(); ++i)
            out[i] = hex_digits[i % 2 == 0 ? digest[i / 2] >> 4 : digest[i / 2] & 0xf];
        return out;
    }

private:
    [[gnu::always_inline]] static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept { return (x >> n) | (x << (32 - n)); }

    // The helpers are always inlined: a call per round costs about as much as the round, and g++ stopped inlining
    // them in a large translation unit.
    // w[i] for i >= 16, computed in place over the ring of sixteen words.
    [[gnu::always_inline]] static std::uint32_t extend_schedule(std::uint32_t (&w)[16], std::size_t i) noexcept {
        std::uint32_t& slot = w[i & 15];
        const std::uint32_t w15 = w[(i - 15) & 15];
        const std::uint32_t w2 = w[(i - 2) & 15];
        slot += (rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3)) + w[(i - 7) & 15] +
                (rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10));
        return slot;
    }
    // One round; `kw` is k[i] + w[i]. Only d and h change: the caller renames the others.
    [[gnu::always_inline]] static void round(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t& d,
                                             std::uint32_t e, std::uint32_t f, std::uint32_t g, std::uint32_t& h,
                                             std::uint32_t kw) noexcept {
        const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + (g ^ (e & (f ^ g))) + kw;
        const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) | (c & (a | b)));
        d += t1;
        h = t1 + t2;
    }

    // One block. The message schedule is kept as a ring of 16 words, and the rounds are unrolled by eight with the
    // working variables renamed instead of shifted (a round writes only d and h), so no round moves six words.
    void compress(const std::uint8_t* block) noexcept {
        static constexpr std::uint32_t k[64] = {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::uint32_t w[16];
        for (std::size_t i = 0; i < 16; ++i)
            w[i] = (std::uint32_t{block[i * 4]} << 24) | (std::uint32_t{block[i * 4 + 1]} << 16) |
                   (std::uint32_t{block[i * 4 + 2]} << 8) | std::uint32_t{block[i * 4 + 3]};
        auto [a, b, c, d, e, f, g, h] = state_;
        // The first sixteen rounds take the block's words, the others extend the schedule: two loops, so that no
        // round tests which it is.
        for (std::size_t i = 0; i < 16; i += 8) {
            round(a, b, c, d, e, f, g, h, k[i] + w[i]);
            round(h, a, b, c, d, e, f, g, k[i + 1] + w[i + 1]);
            round(g, h, a, b, c, d, e, f, k[i + 2] + w[i + 2]);
            round(f, g, h, a, b, c, d, e, k[i + 3] + w[i + 3]);
            round(e, f, g, h, a, b, c, d, k[i + 4] + w[i + 4]);
            round(d, e, f, g, h, a, b, c, k[i + 5] + w[i + 5]);
            round(c, d, e, f, g, h, a, b, k[i + 6] + w[i + 6]);
            round(b, c, d, e, f, g, h, a, k[i + 7] + w[i + 7]);
        }
        for (std::size_t i = 16; i < 64; i += 8) {
            round(a, b, c, d, e, f, g, h, k[i] + extend_schedule(w, i));
            round(h, a, b, c, d, e, f, g, k[i + 1] + extend_schedule(w, i + 1));
            round(g, h, a, b, c, d, e, f, k[i + 2] + extend_schedule(w, i + 2));
            round(f, g, h, a, b, c, d, e, k[i + 3] + extend_schedule(w, i + 3));
            round(e, f, g, h, a, b, c, d, k[i + 4] + extend_schedule(w, i + 4));
            round(d, e, f, g, h, a, b, c, k[i + 5] + extend_schedule(w, i + 5));
            round(c, d, e, f, g, h, a, b, k[i + 6] + extend_schedule(w, i + 6));
            round(b, c, d, e, f, g, h, a, k[i + 7] + extend_schedule(w, i + 7));
        }
        state_[0] += a;
        state_[1] += b;
        state_[2] += c;
        state_[3] += d;
        state_[4] += e;
        state_[5] += f;
        state_[6] += g;
        state_[7] += h;
    }

    std::array<std::uint32_t, 8> state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<std::uint8_t, 64> block_{};
    std::size_t fill_ = 0;
    std::uint64_t length_ = 0;
};

}  // namespace cep::detail
