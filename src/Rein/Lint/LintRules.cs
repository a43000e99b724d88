namespace Rein.Lint;

/// <summary>Every rule a linter reports, with the one-line description SARIF viewers show.</summary>
public static class LintRules
{
    static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["make/parse-time-shell"] =
            "A $(shell ...) that runs while make reads the makefile: on every invocation, make -n and make help included, and again in each recursive $(MAKE).",
        ["make/exported-shell"] =
            "An exported recursive variable whose $(shell ...) runs for every target make builds.",
        ["make/repeated-shell"] =
            "A deferred $(shell ...) that runs again in each of many recipe lines.",
        ["compose/unbounded-memory"] =
            "A service with neither mem_limit nor deploy.resources.limits.memory can take all of the machine's (or Docker VM's) memory.",
        ["compose/tmpfs"] =
            "A tmpfs mount with a size: memory the service can fill besides its processes.",
        ["compose/jvm-heap"] = "A JVM -Xmx near or above the service's memory limit.",
        ["compose/restart-unbounded"] =
            "restart: always on a service without a memory limit: it comes back after every out-of-memory kill.",
        ["compose/limits-exceed-memory"] =
            "The services' memory limits add up to more than the machine's (or Docker VM's) memory.",
        ["compose/invalid-memory"] = "A memory value that is not a size.",
        ["python/unbounded-loop"] =
            "A while True / while not loop with no deadline, timeout or bounded counter.",
        ["python/unbounded-gather"] =
            "asyncio.gather over a comprehension with no semaphore in scope: unbounded fan-out.",
        ["python/spawn-in-loop"] =
            "A subprocess or task started inside a loop: one per item, with no bound on how many at once.",
        ["python/pool-without-max"] =
            "A process or thread pool with no max_workers/processes: one worker per CPU, each with its own memory.",
    };

    public static IReadOnlyDictionary<string, string> All => Descriptions;

    public static string Describe(string rule) => Descriptions.GetValueOrDefault(rule, rule);
}
