using System.CommandLine;

namespace Rein.Cli.Commands;

/// <summary>The options of <c>rein supervise</c>: the per-incarnation limits of <c>rein run</c>, then the restart
/// policy, recycling, health and the outputs.</summary>
internal sealed class SuperviseOptions
{
    static Option<string?> Opt(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName };

    public readonly Option<string?> Timeout = Opt(
        "--timeout",
        "Maximum lifetime of each incarnation (exit 124 for that incarnation, then a restart). Env REIN_TIMEOUT",
        "DUR"
    );
    public readonly Option<string?> IdleTimeout = Opt(
        "--idle-timeout",
        "Hang detector: an incarnation silent on stdout/stderr for DUR is stopped and restarted",
        "DUR"
    );
    public readonly Option<string?> Grace = Opt(
        "--grace",
        "Time between SIGTERM and SIGKILL whenever a worker is stopped (default 5s). Env REIN_GRACE",
        "DUR"
    );
    public readonly Option<string?> Memory = Opt(
        "--memory",
        "Cap each incarnation's whole tree memory (exceeding it ends the incarnation: 137, then a restart)",
        "SIZE"
    );
    public readonly Option<string?> WarnBefore = Opt(
        "--warn-before",
        "Say once per incarnation when its memory, at its growth rate, reaches --memory (or the machine's available memory) within DUR",
        "DUR"
    );
    public readonly Option<string?> OnGrowth = Opt(
        "--on-growth",
        "What that warning does: warn (default), or restart the worker before the cap (counted as a failure)",
        "warn|restart"
    );
    public readonly Option<string?> MaxProcs = Opt(
        "--max-procs",
        "Cap each incarnation's live processes",
        "N"
    );
    public readonly Option<string?> CapMethod = Opt(
        "--cap-method",
        "How --memory/--max-procs are enforced: auto, cgroup, poll",
        "auto|cgroup|poll"
    );
    public readonly Option<string?> Lock = Opt(
        "--lock",
        "Each incarnation holds a slot of this lock; busy → back off and retry (a refusal is not a failure)",
        "NAME[:SLOTS]"
    );
    public readonly Option<string?> MinAvailable = Opt(
        "--min-available",
        "Do not start an incarnation while less memory than SIZE is available (back off instead)",
        "SIZE"
    );
    public readonly Option<bool> EnvOffline = new("--env-offline")
    {
        Description = "Set HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 for the worker",
    };

    public readonly Option<string?> Restart = Opt(
        "--restart",
        "on-failure (default: exit 0 ends supervision) or always",
        "on-failure|always"
    );
    public readonly Option<string?> MaxRestarts = Opt(
        "--max-restarts",
        "Restarts allowed within --restart-window (default 10); 0 runs the worker once",
        "N"
    );
    public readonly Option<string?> RestartWindow = Opt(
        "--restart-window",
        "The window --max-restarts counts in (default 1h)",
        "DUR"
    );
    public readonly Option<string?> BackoffMin = Opt(
        "--backoff-min",
        "First restart delay (default 2s); doubles per restart, ±10 % jitter",
        "DUR"
    );
    public readonly Option<string?> BackoffMax = Opt(
        "--backoff-max",
        "Largest restart delay (default 60s)",
        "DUR"
    );
    public readonly Option<string?> HealthyAfter = Opt(
        "--healthy-after",
        "An incarnation up this long resets the delay and the restart count (default 60s)",
        "DUR"
    );
    public readonly Option<string?> RecycleAfter = Opt(
        "--recycle-after",
        "Restart a healthy worker after this lifetime (TERM, grace, KILL; not counted as a failure)",
        "DUR"
    );
    public readonly Option<string?> RecycleAfterRequests = Opt(
        "--recycle-after-requests",
        "Restart a healthy worker after N inferences: the `rein mark post` breadcrumbs of its run (not counted as a failure)",
        "N"
    );
    public readonly Option<bool> RestartOnHang = new("--restart-on-hang")
    {
        Description =
            "Restart the worker when an inference (a `rein mark pre` of its run with no post) is open longer than "
            + "inference.hang_after (90s; REIN_HANG_AFTER): TERM, grace, KILL; counted as a failure",
    };
    public readonly Option<string?> StopAfterIdle = Opt(
        "--stop-after-idle",
        "Stop the worker and end supervision with exit 0 when no inference finished for DUR and none is in flight (frees the model's memory)",
        "DUR"
    );
    public readonly Option<string?> HealthCmd = Opt(
        "--health-cmd",
        "A probe run with /bin/sh -c every --health-interval; --health-retries failures in a row restart the worker",
        "CMD"
    );
    public readonly Option<string?> HealthInterval = Opt(
        "--health-interval",
        "How often the probe runs (default 30s)",
        "DUR"
    );
    public readonly Option<string?> HealthTimeout = Opt(
        "--health-timeout",
        "A probe running longer fails, its tree killed (default 10s)",
        "DUR"
    );
    public readonly Option<string?> HealthRetries = Opt(
        "--health-retries",
        "Consecutive probe failures that restart the worker (default 3)",
        "N"
    );
    public readonly Option<string?> HeartbeatFile = Opt(
        "--heartbeat-file",
        "A file the worker touches; untouched for --heartbeat-timeout → hung → restart",
        "PATH"
    );
    public readonly Option<string?> HeartbeatTimeout = Opt(
        "--heartbeat-timeout",
        "How long the heartbeat file may stay untouched (default 30s)",
        "DUR"
    );
    public readonly Option<string?> Report = Opt(
        "--report",
        "Write how supervision ended as JSON (schema rein.supervise/1) to FILE",
        "FILE"
    );
    public readonly Option<string?> Events = Opt(
        "--events",
        "Append one JSON line per start, exit, backoff, restart, recycle, stop to FILE",
        "FILE"
    );

    /// <summary>Documents the command in --help; the real command is split off at `--` before parsing.</summary>
    public readonly Argument<string[]> CommandArgument = new("command")
    {
        Description = "-- then the worker command and its arguments (never through a shell)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Command Create()
    {
        var cmd = new Command(
            "supervise",
            "Keep COMMAND running: each incarnation is a guarded run (rein run's limits apply to each), restarted with "
                + "exponential backoff (2s doubling to 60s, ±10 % jitter) until --max-restarts within --restart-window is "
                + "spent. SIGTERM/SIGINT/SIGHUP stop supervision: the worker gets TERM, the grace, KILL, and rein exits 0 "
                + "(128+N if a second signal forced it). Exit codes: 0 stopped, or the worker exited 0 under on-failure; "
                + "otherwise the last incarnation's code as rein run maps it (124 timed out, 137 over a cap, 128+N signal…); "
                + "125 bad usage or rein failed.\n\nExamples:\n"
                + "  rein supervise --memory 12G -- python serve.py\n"
                + "  rein supervise --heartbeat-file /tmp/w.beat --heartbeat-timeout 2m --recycle-after 6h -- ./worker\n"
                + "  rein supervise --health-cmd 'curl -fs localhost:8080/health' --events ev.jsonl -- ./server"
        );
        foreach (
            var o in new Option[]
            {
                Timeout,
                IdleTimeout,
                Grace,
                Memory,
                WarnBefore,
                OnGrowth,
                MaxProcs,
                CapMethod,
                Lock,
                MinAvailable,
                EnvOffline,
                Restart,
                MaxRestarts,
                RestartWindow,
                BackoffMin,
                BackoffMax,
                HealthyAfter,
                RecycleAfter,
                RecycleAfterRequests,
                RestartOnHang,
                StopAfterIdle,
                HealthCmd,
                HealthInterval,
                HealthTimeout,
                HealthRetries,
                HeartbeatFile,
                HeartbeatTimeout,
                Report,
                Events,
            }
        )
        {
            cmd.Options.Add(o);
        }

        cmd.Arguments.Add(CommandArgument);
        return cmd;
    }
}
