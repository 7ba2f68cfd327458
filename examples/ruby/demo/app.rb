# frozen_string_literal: true

# A small Sidekiq app reporting to the supervisor, the same on Sidekiq 6.4, 7.3 and 8.1 (on MRI or JRuby):
#   sidekiq -r ./app.rb -c 5 -q critical -q default
# Environment: REDIS_URL (Sidekiq's Redis), SIDEKIQ_SUPERVISOR_HOST (the supervisor's URL),
# DEMO_MIDDLEWARE=original to use the original supervisor's two middlewares instead of the production one.

require "sidekiq"

if ENV["DEMO_MIDDLEWARE"] == "original"
  require "faraday"
  require "json"
  # The original client middleware reads this (sic) name.
  ENV["SIDEDIQ_SUPERVISOR_HOST"] ||= ENV["SIDEKIQ_SUPERVISOR_HOST"]
  require_relative "../original/job_queued"
  require_relative "../original/check_in_check_out"
else
  require_relative "../sidekiq_supervisor"
  SidekiqSupervisor.install
end

Sidekiq.configure_server do |config|
  # Retries and scheduled jobs are picked up within about a second (the default polls every few seconds).
  config.average_scheduled_poll_interval = 1
end

class FlakyError < StandardError; end

# The demo's own Redis commands. Sidekiq.redis yields redis-rb on 6.x and redis-client (through Sidekiq's adapter)
# on 7.x and 8.x: their helpers differ (exists? is redis-rb's), the plain `call` is the same in both.
module DemoRedis
  def self.call(*command)
    Sidekiq.redis { |redis| redis.call(*command) }
  end
end

# A quick job.
class HardWorker
  include Sidekiq::Job

  def perform(number, email)
    Sidekiq.logger.info("HardWorker #{number} #{email}")
  end
end

# Arguments the supervisor must keep exactly: nesting, Unicode, integers beyond 2^53.
class NestedArgsJob
  include Sidekiq::Job
  sidekiq_options queue: "critical"

  def perform(hash, text, list)
    Sidekiq.logger.info("NestedArgsJob #{hash.inspect} #{text} #{list.inspect}")
  end
end

# Fails on its first run, succeeds on its retry a second later.
class FlakyJob
  include Sidekiq::Job
  sidekiq_options retry: 5
  sidekiq_retry_in { |_count, _exception| 1 }

  def perform(key)
    runs = DemoRedis.call("INCR", "demo:flaky:#{key}")
    raise FlakyError, "deliberate failure #{runs}/1 (#{key})" if runs == 1
  end
end

# A long job: it counts its start in demo:starts:<name>, runs until the key demo:release:<name> exists (or ten
# minutes pass), then counts its finished run in demo:runs:<name>. Kill its Sidekiq with SIGKILL while it runs to see
# a lost job.
class LongJob
  include Sidekiq::Job

  def perform(name)
    DemoRedis.call("INCR", "demo:starts:#{name}")
    deadline = Time.now + 600
    sleep 0.1 until DemoRedis.call("EXISTS", "demo:release:#{name}").positive? || Time.now > deadline
    DemoRedis.call("INCR", "demo:runs:#{name}")
  end
end

# Counts how many times each one ran: every job must run exactly once.
class CountedJob
  include Sidekiq::Job

  def perform(number)
    sleep 0.05
    DemoRedis.call("INCR", "demo:runs:counted:#{number}")
  end
end
