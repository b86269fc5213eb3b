// The kernel of the heartbeat: its six parts (hierarchy, router, queue, scheduler, listeners, processor), the
// concepts a swapped part must meet, and cep::default_kernel.
#pragma once

#include <cep/kernel/concepts.hpp>
#include <cep/kernel/hierarchy.hpp>
#include <cep/kernel/kernel.hpp>
#include <cep/kernel/listeners.hpp>
#include <cep/kernel/processor.hpp>
#include <cep/kernel/queue.hpp>
#include <cep/kernel/router.hpp>
#include <cep/kernel/scheduler.hpp>
