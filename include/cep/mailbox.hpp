// The mailbox helpers: message ids, TTL resolution, expiry buckets and retention planning (namespace cep::mailbox).
#pragma once

#include <cep/mailbox/layout.hpp>
#include <cep/mailbox/message_id.hpp>
#include <cep/mailbox/retention.hpp>
#include <cep/mailbox/ttl.hpp>
