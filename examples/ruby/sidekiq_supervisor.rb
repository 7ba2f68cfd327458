# frozen_string_literal: true

# Production middleware for the Sidekiq Supervisor: reports every job's life (queued, started, complete,
# failed) and never hurts the app.
#
# - Never raises into perform_async or into a job: events go into a bounded in-memory buffer and a background
#   thread sends them in batches to POST /api/v1/events. A supervisor outage delays reports; it never stops
#   enqueuing, and never makes Sidekiq retry a job that succeeded.
# - Connect and read timeouts on every request; failed batches are retried with backoff. Every event carries
#   `at`, so a batch sent twice is recorded once.
# - Reports `failed` with the error's class and message, then re-raises the job's own error unchanged.
# - Sends the Sidekiq process identity and thread id with `started`, and the job's whole hash as `payload`, so that a
#   restart of a lost job pushes it back with its own options (retry, tags, custom keys).
# - Progress, as sidekiq-status offers it: `SidekiqSupervisor.progress(jid, at: 40, total: 160, message: "rows")`
#   from inside a job. It goes through the same queue, after the job's `started`, and never raises either.
#
# Use it (plain Ruby, stdlib only):
#
#   require_relative "sidekiq_supervisor"
#   SidekiqSupervisor.install   # reads SIDEKIQ_SUPERVISOR_HOST, SIDEKIQ_SUPERVISOR_TOKEN
#
# Settings (environment): SIDEKIQ_SUPERVISOR_HOST (e.g. http://127.0.0.1:8080, required),
# SIDEKIQ_SUPERVISOR_TOKEN (bearer token, optional), SIDEKIQ_SUPERVISOR_OPEN_TIMEOUT (seconds, default 1),
# SIDEKIQ_SUPERVISOR_READ_TIMEOUT (default 2), SIDEKIQ_SUPERVISOR_BUFFER (events kept while the supervisor is
# away, default 10000; the oldest are dropped past it, and counted).

require "json"
require "logger"
require "net/http"
require "uri"

module SidekiqSupervisor
  # Buffers events and sends them in the background. Thread-safe and fork-safe (a forked child starts its own
  # sender thread).
  class Reporter
    BATCH_SIZE = 500
    MAX_BACKOFF = 30.0
    # Marks a queued item as a progress report rather than an event (never sent as a field).
    PROGRESS = :__progress

    attr_reader :dropped

    def initialize(url:, token: nil, open_timeout: 1.0, read_timeout: 2.0, buffer: 10_000, flush_interval: 0.2,
                   logger: Logger.new($stderr))
      base = url.end_with?("/") ? url : "#{url}/"
      @uri = URI.join(base, "api/v1/events")
      @token = token
      @open_timeout = open_timeout
      @read_timeout = read_timeout
      @capacity = buffer
      @flush_interval = flush_interval
      @logger = logger
      @events = []
      @sending = 0
      @dropped = 0
      @mutex = Mutex.new
      @wakeup = ConditionVariable.new
      @thread = nil
      @pid = nil
    end

    # Queues an event; never raises, never blocks on the network.
    def report(event)
      @mutex.synchronize do
        if @events.size >= @capacity
          @events.shift
          @dropped += 1
        end
        @events << event
        @wakeup.signal if @events.size >= BATCH_SIZE
      end
      ensure_sender
      nil
    rescue Exception => e # rubocop:disable Lint/RescueException -- reporting must never break the app
      warn_once("could not queue an event: #{e.class}: #{e.message}")
      nil
    end

    # Queues a progress report for a running job (units done, units in all, a message); sent after the events
    # queued before it. Never raises, never blocks on the network.
    def progress(job_id, at: nil, total: nil, message: nil)
      item = { "job_id" => job_id, "at" => at, "total" => total, "message" => message&.to_s&.slice(0, 1000) }
      report(item.compact.merge(PROGRESS => true))
    end

    # Waits up to timeout seconds for every queued event to be sent. Returns true when all were.
    def flush(timeout = 5.0)
      deadline = monotonic + timeout
      until idle?
        return false if monotonic > deadline
        @mutex.synchronize { @wakeup.signal }
        sleep 0.05
      end
      true
    end

    def pending
      @mutex.synchronize { @events.size + @sending }
    end

    private

    def idle?
      @mutex.synchronize { @events.empty? && @sending.zero? }
    end

    def ensure_sender
      return if @thread&.alive? && @pid == Process.pid

      @mutex.synchronize do
        unless @thread&.alive? && @pid == Process.pid
          @pid = Process.pid
          @thread = Thread.new { run }
          @thread.name = "sidekiq-supervisor-reporter" if @thread.respond_to?(:name=)
        end
      end
    end

    def run
      backoff = @flush_interval
      loop do
        batch = @mutex.synchronize do
          @wakeup.wait(@mutex, @flush_interval) if @events.size < BATCH_SIZE
          taken = @events.shift(BATCH_SIZE)
          @sending = taken.size
          taken
        end
        next if batch.empty?

        until deliver(batch)
          sleep backoff
          backoff = [backoff * 2, MAX_BACKOFF].min
        end
        backoff = @flush_interval
        @mutex.synchronize { @sending = 0 }
      end
    rescue Exception => e # rubocop:disable Lint/RescueException
      warn_once("reporter thread stopped: #{e.class}: #{e.message}")
    end

    # true: done with this batch. Events go in one POST to /api/v1/events; progress reports after them, one per job:
    # its reports merged in order (a later value replaces an earlier one; a field a later report leaves out is kept).
    def deliver(batch)
      events, progress = batch.partition { |item| !item.key?(PROGRESS) }
      return false unless events.empty? || deliver_events(events)

      latest = {}
      progress.each { |item| latest[item["job_id"]] = (latest[item["job_id"]] || {}).merge(item) }
      latest.each_value { |item| return false unless deliver_progress(item) }
      true
    end

    def deliver_progress(item)
      uri = URI.join(@uri.to_s, "jobs/#{URI.encode_www_form_component(item["job_id"].to_s)}/progress")
      # 404: the supervisor does not know the job (its started report was lost or refused): nothing to retry.
      send_json(uri, item.reject { |key, _| key == PROGRESS || key == "job_id" }, "progress for #{item["job_id"]}",
                quiet: [404])
    end

    # true: done with these events (sent, or refused as invalid: sending them again would not help).
    def deliver_events(batch)
      send_json(@uri, batch, "#{batch.size} events")
    end

    # POSTs JSON. true: done (a 2xx, or a 4xx that sending again would not change); false: retry later.
    def send_json(uri, body, what, quiet: [])
      http = Net::HTTP.new(uri.host, uri.port)
      http.use_ssl = uri.scheme == "https"
      http.open_timeout = @open_timeout
      http.read_timeout = @read_timeout
      http.write_timeout = @read_timeout if http.respond_to?(:write_timeout=)
      request = Net::HTTP::Post.new(uri.request_uri)
      request["Content-Type"] = "application/json"
      request["Authorization"] = "Bearer #{@token}" if @token && !@token.empty?
      request.body = JSON.generate(body)
      response = http.request(request)
      code = response.code.to_i
      return true if code.between?(200, 299)

      if code.between?(400, 499) && code != 408 && code != 429
        unless quiet.include?(code)
          @logger.error("sidekiq-supervisor refused #{what} (#{code}): #{response.body.to_s[0, 300]}")
        end
        return true
      end
      warn_once("sidekiq-supervisor answered #{code}; will retry")
      false
    rescue StandardError, Timeout::Error => e
      warn_once("sidekiq-supervisor unreachable (#{e.class}: #{e.message}); will retry")
      false
    end

    def warn_once(message)
      now = monotonic
      return if @last_warning && now - @last_warning < 30

      @last_warning = now
      @logger.warn(message)
    rescue StandardError
      nil
    end

    def monotonic
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end

  class << self
    attr_writer :reporter

    def reporter
      @reporter ||= begin
        reporter = Reporter.new(
          url: ENV.fetch("SIDEKIQ_SUPERVISOR_HOST"),
          token: ENV["SIDEKIQ_SUPERVISOR_TOKEN"],
          open_timeout: Float(ENV.fetch("SIDEKIQ_SUPERVISOR_OPEN_TIMEOUT", "1")),
          read_timeout: Float(ENV.fetch("SIDEKIQ_SUPERVISOR_READ_TIMEOUT", "2")),
          buffer: Integer(ENV.fetch("SIDEKIQ_SUPERVISOR_BUFFER", "10000"))
        )
        at_exit { reporter.flush(5.0) }
        reporter
      end
    end

    # A running job's progress, as sidekiq-status's `at`/`total` offer it: shown in the supervisor's API and
    # dashboard. Call it from inside `perform` with the job's jid. Never raises.
    def progress(job_id, at: nil, total: nil, message: nil)
      reporter.progress(job_id, at: at, total: total, message: message)
    end

    # Adds both middlewares to Sidekiq.
    def install
      Sidekiq.configure_client do |config|
        config.client_middleware { |chain| chain.add ClientMiddleware }
      end
      Sidekiq.configure_server do |config|
        config.client_middleware { |chain| chain.add ClientMiddleware }
        config.server_middleware { |chain| chain.add ServerMiddleware }
      end
    end

    # A deep copy of the job's hash as it is now: the sender serializes it later, in the background, and by then
    # Sidekiq's retry may have changed the same hash (retry_count, error_message). nil (no payload) if it cannot copy.
    def snapshot(job)
      Marshal.load(Marshal.dump(job))
    rescue StandardError
      nil
    end

    def process_identity
      return nil unless defined?(Sidekiq::CLI)

      Sidekiq::CLI.instance.launcher&.identity
    rescue StandardError
      nil
    end
  end

  # Client side: report the job queued, unless another middleware stopped the push. Sidekiq pushes right after
  # the chain returns (it stamps enqueued_at only then), so `at` is now: for a retry that the poller enqueues
  # again, that is the re-enqueue, not the job's first enqueue.
  class ClientMiddleware
    def call(_worker_class, job, queue, _redis_pool)
      result = yield
      if result
        SidekiqSupervisor.reporter.report(
          "job_id" => job["jid"], "status" => "queued", "at" => Time.now.to_f,
          "job_class" => job["class"], "queue" => queue, "arguments" => job["args"]
        )
      end
      result
    end
  end

  # Server side: started before the job, then complete, or failed with the error (re-raised unchanged).
  class ServerMiddleware
    def call(_worker, job, queue)
      base = { "job_id" => job["jid"], "job_class" => job["class"], "queue" => queue, "arguments" => job["args"] }
      SidekiqSupervisor.reporter.report(base.merge(
        "status" => "started", "at" => Time.now.to_f,
        "process_identity" => SidekiqSupervisor.process_identity, "thread_id" => Thread.current["sidekiq_tid"],
        "payload" => SidekiqSupervisor.snapshot(job)
      ))
      begin
        result = yield
      rescue Exception => e # rubocop:disable Lint/RescueException -- report, then re-raise the job's own error
        SidekiqSupervisor.reporter.report(base.merge(
          "status" => "failed", "at" => Time.now.to_f,
          "error_class" => e.class.name.to_s[0, 255], "error_message" => e.message.to_s[0, 10_000]
        ))
        raise
      end
      SidekiqSupervisor.reporter.report(base.merge("status" => "complete", "at" => Time.now.to_f))
      result
    end
  end
end
