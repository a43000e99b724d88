using System.CommandLine;
using Rein.Config;
using Rein.Journal;
using Rein.Processes.Posix;
using Rein.Running;
using Rein.Setup;

namespace Rein.Cli.Commands;

/// <summary><c>rein timeout [OPTION]... DURATION COMMAND [ARG]...</c>: coreutils timeout's command line and exit
/// statuses over a guarded run (<see cref="Guard"/>), so the whole tree ends. Parse → guard → status.</summary>
internal static class TimeoutCommand
{
    const string Summary =
        "coreutils timeout with a tree kill: after DURATION, stop COMMAND and every process it started. "
        + "rein timeout [OPTION]... DURATION COMMAND [ARG]... (see rein timeout --help)";

    /// <summary>The command as listed by <c>rein --help</c>; real invocations go through <see cref="Execute"/>
    /// (its argv must reach the command untouched).</summary>
    public static Command Build()
    {
        var cmd = new Command("timeout", Summary);
        cmd.SetAction(_ => Execute(["--help"]));
        return cmd;
    }

    public static int Execute(string[] args)
    {
        var parsed = TimeoutArguments.Parse(args);
        switch (parsed.Request)
        {
            case TimeoutRequest.Help:
                Console.Out.Write(TimeoutHelp.Text);
                return ExitCodes.Ok;
            case TimeoutRequest.Version:
                Console.Out.WriteLine($"rein timeout (rein) {ReinCli.VersionText}");
                return ExitCodes.Ok;
            case TimeoutRequest.Error:
                Console.Error.WriteLine($"rein timeout: {parsed.Error} (see rein timeout --help)");
                return ExitCodes.ReinFailed;
        }

        var a = parsed.Arguments!;
        EffectiveConfig config;
        RunSpec spec;
        try
        {
            // No flags of rein run here: DURATION and -k are the command line's; the run's grace and kill wait,
            // the journal's retention and the user's [[classify.rule]] come from REIN_* and rein.toml as for rein run.
            var settings = new RunSettings
            {
                Command = a.Command,
                Verb = RunVerb.Timeout,
                Foreground = a.Foreground,
            };
            config = CliConfig.Load(settings.Flags);
            spec = RunSpecBuilder.FromSettings(settings, config).Spec;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"rein timeout: {e.Message}");
            return ExitCodes.ReinFailed;
        }

        spec = spec with
        {
            Timeout = a.Duration,
            TimeoutSignal = a.Signal,
            // Without -k coreutils never sends KILL and may wait forever; rein keeps its bound (docs/manual/guard.md).
            Grace = a.KillAfter ?? spec.Grace,
            AlarmTimesOut = true, // coreutils: SIGALRM is the timer going off, whoever sent it
        };
        return Run(spec, a, config);
    }

    static int Run(RunSpec spec, TimeoutArguments a, EffectiveConfig config)
    {
        static void Say(string message) => Console.Error.WriteLine($"rein timeout: {message}");

        // Recorded as rein run records (the spool, durable before the spawn), so `rein journal` shows it. No
        // lock and no retry breaker: timing out is what this verb is for, and a drop-in always runs.
        var options = new GuardedRunOptions
        {
            StateDirectory = JournalAccess.StateDir,
            RetryBreaker = false,
            Retention = (
                config.WholeNumber(Settings.JournalKeepRuns),
                config.WholeNumber(Settings.JournalKeepDays)
            ),
            ForwardSignals = true,
            Warn = Say,
            // -v says each signal as it is sent (coreutils' wording).
            Observer = a.Verbose
                ? new SaysSignals($"'{CommandText.Escape(spec.Command[0])}'")
                : null,
        };
        RunVerdict verdict;
        try
        {
            verdict = new GuardedRun(spec, options).Run();
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Not disarmed: the shim kills the tree itself.
            Say(ReinCli.OneLine(e.Message));
            return ExitCodes.ReinFailed;
        }

        Render(verdict, spec, a.Verbose);
        RunEndExport.After(config);

        var exit = TimeoutStatus.Decide(verdict, a.PreserveStatus);
        if (exit.Raise is { } signal)
        {
            ExitBySignal.Raise(signal);
        }

        return exit.ExitCode;
    }

    /// <summary>Silent like coreutils unless asked (-v), with two exceptions only rein can have: leftovers it
    /// stopped after the command ended by itself, and processes that survived SIGKILL.</summary>
    static void Render(RunVerdict v, RunSpec spec, bool verbose)
    {
        var name = $"'{CommandText.Escape(spec.Command[0])}'";
        if (verbose && v.Outcome is RunOutcome.TimedOut or RunOutcome.Interrupted)
        {
            // The first signal was said as it was sent (SaysSignals); the escalation is known once the run is over.
            var first = v.Outcome == RunOutcome.TimedOut ? spec.TimeoutSignal : v.Signal ?? 15;
            if (v.Escalated && first != Platform.Posix.LibC.SIGKILL)
            {
                Console.Error.WriteLine($"rein timeout: sending signal KILL to command {name}");
            }
        }

        if (v.StartFailure is { } failure)
        {
            Console.Error.WriteLine($"rein timeout: {CommandText.Escape(failure.Message)}");
        }

        if (v.Outcome is RunOutcome.Exited or RunOutcome.Signaled && v.PidsKilled.Count > 0)
        {
            Console.Error.WriteLine(
                $"rein timeout: stopped {v.PidsKilled.Count} process(es) that {name} left running (rein timeout ends the whole tree)"
            );
        }

        if (v.Unkillable.Count > 0)
        {
            Console.Error.WriteLine(
                $"rein timeout: {v.Unkillable.Count} process(es) survived SIGKILL: "
                    + string.Join(
                        ", ",
                        v.Unkillable.Select(u =>
                            $"{u.Pid} ({u.State}: {CommandText.Escape(u.Command)})"
                        )
                    )
            );
            Console.Error.WriteLine(Rendering.RunSummary.UnkillableRunbook);
        }
    }

    /// <summary>-v: "sending signal TERM to command 'x'" at the moment the guard starts the teardown.</summary>
    sealed class SaysSignals(string name) : IRunObserver
    {
        public void TeardownBegun(RunOutcome reason, int signal)
        {
            if (reason is RunOutcome.TimedOut or RunOutcome.Interrupted)
            {
                Console.Error.WriteLine(
                    $"rein timeout: sending signal {SignalNames.Name(signal)} to command {name}"
                );
            }
        }
    }
}
