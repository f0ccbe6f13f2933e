#pragma once
// Drains the outbox's "sms" topic through the configured gateway: one thread that
// sleeps until a message is due or a new one is queued. Transient failures retry
// with full-jitter exponential backoff (1 s doubling to 10 min); permanent ones
// and the 10th failed attempt end in "failed" with the reason.

#include <Poco/Logger.h>

#include <map>
#include <memory>
#include <mutex>
#include <random>

#include "SmsGateway.h"
#include "config/Config.h"
#include "outbox/OutboxDrainer.h"

namespace lojal {

class SmsWorker {
  public:
    SmsWorker(const Config& config, Database& database, std::unique_ptr<sms::SmsGateway> gateway);
    ~SmsWorker();

    void start();
    void stop();
    void wake();  // a message was queued
    // A delivery report: type is Kannel's (1 delivered, 2 failed, 4 buffered,
    // 8 accepted by the SMSC, 16 rejected by the SMSC).
    Status applyDeliveryReport(int64_t smsId, int type);
    std::string dlrSignature(int64_t smsId) const;
    std::map<std::string, uint64_t> counters() const;

  private:
    void sendOne(const OutboxItem& item);
    void count(const std::string& outcome);

    const Config& config_;
    Database& database_;
    Outbox outbox_;
    std::unique_ptr<sms::SmsGateway> gateway_;
    Poco::Logger& log_;
    mutable std::mutex mutex_;  // counters_; random_ is used on the drainer's thread only
    std::mt19937_64 random_{std::random_device{}()};
    std::map<std::string, uint64_t> counters_;
    OutboxDrainer drainer_;  // last: its thread uses everything above
};

}  // namespace lojal
