# The original supervisor's client middleware, exactly as its README gives it.
# Note: the original reads ENV "SIDEDIQ_SUPERVISOR_HOST" (sic) here but "SIDEKIQ_SUPERVISOR_HOST" in the
# server middleware; set both, or use the copy in the top-level README, which spells both the same.
class JobQueued
  def call(worker, job, queue, redis_pool)
    response = Faraday.post("#{ENV.fetch("SIDEDIQ_SUPERVISOR_HOST")}/api/v1/jobs", {
      job_id: job["jid"],
      arguments: job["args"].to_json,
      job_class: job["class"],
      queue: queue
    })
    yield
  end
end

Sidekiq.configure_client do |config|
  config.client_middleware do |chain|
    chain.add JobQueued
  end
end
