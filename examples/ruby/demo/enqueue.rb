# frozen_string_literal: true

# Enqueues demo jobs and prints their jids as JSON.
#   ruby enqueue.rb mix          # one of each: HardWorker, NestedArgsJob, FlakyJob, LongJob
#   ruby enqueue.rb counted 30   # thirty CountedJobs
#   ruby enqueue.rb long NAME... # one LongJob per name: {"NAME": jid, ...}
require_relative "app"

jids =
  case ARGV[0]
  when "mix"
    {
      "hard" => HardWorker.perform_async(1, "bob@example.com"),
      "nested" => NestedArgsJob.perform_async({ "k" => [1, { "é" => nil }], "big" => 12_345_678_901_234_567_890 },
                                              "ünï ✓ a&b=c+d %/?#", []),
      "flaky" => FlakyJob.perform_async("flaky-#{Process.pid}"),
      "long" => LongJob.perform_async(ARGV[1] || "long-1")
    }
  when "counted"
    Array.new(Integer(ARGV[1] || "10")) { |i| CountedJob.perform_async(i) }
  when "long"
    ARGV.drop(1).to_h { |name| [name, LongJob.perform_async(name)] }
  else
    abort "usage: ruby enqueue.rb mix [LONG_NAME] | counted N | long NAME..."
  end
SidekiqSupervisor.reporter.flush(10.0) if defined?(SidekiqSupervisor)
puts JSON.generate(jids)
