// The kernel: the heartbeat's six parts, assembled as a subsystem (cep/build) from facets that satisfy the default
// contracts. A kernel type names the part types; cep::default_kernel names the ones cep ships:
//
//   hierarchy  cep::tree_hierarchy                 the cell tree and the beat's staging area
//   router     cep::agenda_router<R, Resolution>   registrations, bindings, resolver, memoised agendas
//   queue      cep::beat_queue                     impulses per beat
//   scheduler  cep::beat_scheduler                 budgets, retries, the beat loop (process(n), pause/resume)
//   listeners  cep::listener_hub                   observers of ledger lines, CEI records and commits
//   processor  cep::agenda_processor<R, Parts>     enzyme instances and the execution of agendas
//
// To swap one part, derive from default_kernel and redeclare it:
//
//   struct my_kernel : cep::default_kernel { using queue = my_queue; };
//   cep::heartbeat<my_registry, cep::bound_then_matched, my_kernel> hb;
//
// The compiler checks the part against its contract (the seed's required methods and properties, reported by
// name) and against what the heartbeat calls on it (the concepts of cep/kernel/concepts.hpp). All calls are
// static: a kernel costs nothing at run time over a hand-assembled heartbeat.
#pragma once

#include <cep/build/hook.hpp>
#include <cep/build/subsystem.hpp>
#include <cep/contract/defaults.hpp>
#include <cep/kernel/concepts.hpp>
#include <cep/kernel/hierarchy.hpp>
#include <cep/kernel/listeners.hpp>
#include <cep/kernel/processor.hpp>
#include <cep/kernel/queue.hpp>
#include <cep/kernel/router.hpp>
#include <cep/kernel/scheduler.hpp>

namespace cep {

struct default_kernel {
    using hierarchy = tree_hierarchy;
    using queue = beat_queue;
    using scheduler = beat_scheduler;
    using listeners = listener_hub;
    template <class Registry, class Resolution>
    using router = agenda_router<Registry, Resolution>;
    template <class Registry, class Parts>
    using processor = agenda_processor<Registry, Parts>;
};

// The part types of a kernel for one registry and resolution policy.
template <class Registry, class Resolution, class Kernel>
struct kernel_parts {
    using hierarchy = typename Kernel::hierarchy;
    using queue = typename Kernel::queue;
    using scheduler = typename Kernel::scheduler;
    using listeners = typename Kernel::listeners;
    using router = typename Kernel::template router<Registry, Resolution>;
    using processor = typename Kernel::template processor<Registry, kernel_parts>;

    static_assert(kernel_hierarchy<hierarchy>,
                  "cep::heartbeat: the kernel's hierarchy part needs tree() -> cep::cell_tree& and staging() -> "
                  "cep::staging_area& (see cep::kernel_hierarchy)");
    static_assert(kernel_queue<queue>,
                  "cep::heartbeat: the kernel's queue part needs push(queued_impulse), pending(beat), take(beat, "
                  "std::vector<queued_impulse>&), defer(beat, std::span<const queued_impulse>) and advance() (see "
                  "cep::kernel_queue)");
    static_assert(kernel_scheduler<scheduler>,
                  "cep::heartbeat: the kernel's scheduler part needs admit(std::size_t), plan_retry(attempts, beat) "
                  "-> cep::retry_plan, drive(void*, bool (*)(void*)) and configure_retry(const cep::retry_policy&) (see "
                  "cep::kernel_scheduler)");
    static_assert(kernel_listeners<listeners>,
                  "cep::heartbeat: the kernel's listeners part needs active() -> bool and emit(const cep::event&) "
                  "(see cep::kernel_listeners)");
};

// The subsystem a heartbeat owns: its build plan orders the parts by their dependencies and checks each against
// its contract at compile time.
template <class Parts>
using kernel_subsystem =
    subsystem<default_contract_registry,
              hook<typename Parts::hierarchy, kind<"hierarchy">, uses_contract<"hierarchy">>,
              hook<typename Parts::router, kind<"router">, uses_contract<"router">, depends_on<"hierarchy">>,
              hook<typename Parts::queue, kind<"queue">, uses_contract<"queue">, depends_on<"hierarchy">>,
              hook<typename Parts::scheduler, kind<"scheduler">, uses_contract<"scheduler">>,
              hook<typename Parts::listeners, kind<"listeners">, uses_contract<"listeners">>,
              hook<typename Parts::processor, kind<"processor">, uses_contract<"processor">,
                   depends_on<"hierarchy", "router", "scheduler">>>;

}  // namespace cep
