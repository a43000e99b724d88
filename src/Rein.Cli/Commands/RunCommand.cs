using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Journal;
using Rein.Running;
using Rein.Setup;

namespace Rein.Cli.Commands;

/// <summary><c>rein run [options] -- COMMAND [ARGS...]</c>: parse → <see cref="Guard"/> → exit code. No behaviour lives here.</summary>
internal static class RunCommand
{
    sealed class Options
    {
        public readonly Option<string?> Timeout = new("--timeout")
        {
            Description =
                "Wall-clock limit, e.g. 90s, 30m, 1h (0 = none). Exit 124 when it expires. Env REIN_TIMEOUT",
            HelpName = "DUR",
        };

        public readonly Option<string?> IdleTimeout = new("--idle-timeout")
        {
            Description =
                "Stop the run as stuck when it printed nothing on stdout/stderr for DUR (exit 124). Env REIN_IDLE_TIMEOUT",
            HelpName = "DUR",
        };

        public readonly Option<string?> Grace = new("--grace")
        {
            Description =
                "Time between SIGTERM and SIGKILL at teardown (default 5s). Env REIN_GRACE",
            HelpName = "DUR",
        };

        public readonly Option<string?> Report = new("--report")
        {
            Description = "Write the verdict as JSON (schema rein.run/1) to FILE",
            HelpName = "FILE",
        };

        public readonly Option<bool> EnvOffline = new("--env-offline")
        {
            Description =
                "Set HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 for the command (no model downloads)",
        };

        public readonly Option<bool> Foreground = new("--foreground")
        {
            Description =
                "Keep the command in the terminal's process group (interactive input works; like timeout --foreground)",
        };

        /// <summary>Documents the command in --help; real commands are split off at `--` before parsing, so any
        /// value here is a stray word before `--` (an unknown option or a forgotten `--`).</summary>
        public readonly Argument<string[]> CommandArgument = new("command")
        {
            Description =
                "-- then the command and its arguments (passed through untouched, never through a shell)",
            Arity = ArgumentArity.ZeroOrMore,
        };

        public readonly Option<string?> Lock = new("--lock")
        {
            Description =
                "Hold one of SLOTS slots (default 1) of the named lock for the whole run; busy → exit 75 at once (anti-pile-up)",
            HelpName = "NAME[:SLOTS]",
        };

        public readonly Option<string?> Wait = new("--wait")
        {
            Description =
                "Wait for the lock, memory (--min-available) and the model cadence (--model), forever or up to DUR, instead of exiting 75",
            HelpName = "DUR",
            Arity = ArgumentArity.ZeroOrOne,
        };

        public readonly Option<bool> Force = new("--force")
        {
            Description =
                "Start even though the retry breaker is open (the same command recently timed out or hung)",
        };

        public readonly Option<string?> BreakerCooldown = new("--breaker-cooldown")
        {
            Description =
                "How long after a timeout/idle/unkillable end the same command is refused (default 10m). Env REIN_BREAKER_COOLDOWN",
            HelpName = "DUR",
        };

        public readonly Option<string?> Memory = new("--memory")
        {
            Description =
                "Cap the whole tree's memory, e.g. 512M, 8G; exceeding it ends the run with 137 (cgroup when possible, else polled every 100 ms). Env REIN_MEMORY",
            HelpName = "SIZE",
        };

        public readonly Option<string?> WarnBefore = new("--warn-before")
        {
            Description =
                "Say once when, at the rate the tree's memory grows, it reaches --memory (or the machine's available "
                + "memory) within DUR. Env REIN_WARN_BEFORE",
            HelpName = "DUR",
        };

        public readonly Option<string?> OnGrowth = new("--on-growth")
        {
            Description =
                "What that warning does: warn (default), or stop the run (137) before the cap. Env REIN_ON_GROWTH",
            HelpName = "warn|stop",
        };

        public readonly Option<string?> Containers = new("--containers")
        {
            Description =
                "Stop the containers the run started (labelled rein.run=RUN_ID, or a compose project of its folder) at "
                + "its end: auto (default: a foreground docker run or compose up), on, off. Env REIN_CONTAINERS",
            HelpName = "auto|on|off",
        };

        public readonly Option<string?> MaxProcs = new("--max-procs")
        {
            Description =
                "Cap the number of live processes in the tree (a fork bomb ends the run, not the machine); exit 137. Env REIN_MAX_PROCS",
            HelpName = "N",
        };

        public readonly Option<string?> CapMethod = new("--cap-method")
        {
            Description =
                "How --memory/--max-procs are enforced: auto, cgroup, poll. Env REIN_CAP_METHOD",
            HelpName = "auto|cgroup|poll",
        };

        public readonly Option<string?> MinAvailable = new("--min-available")
        {
            Description =
                "Refuse to start (75) when less memory than SIZE is available or memory pressure is high. Env REIN_MIN_AVAILABLE",
            HelpName = "SIZE",
        };

        public readonly Option<bool> Classify = new("--classify")
        {
            Description =
                "Keep the last 64 KiB of the command's stderr (relayed to yours unchanged) so a failure is classified "
                + "from its text too: CUDA/Metal out of memory, a native crash, MemoryError… (see rein classify)",
        };

        public readonly ModelsRunOptions Models = new();
    }

    static Command Create(Options o)
    {
        var cmd = new Command(
            "run",
            "Run COMMAND under guard: bounded in time, its whole process tree killed on the way out (also when rein is "
                + "interrupted or killed). Exit codes: the command's own; 124 timed out/idle; 125 rein failed or bad usage; "
                + "126 cannot execute; 127 not found; 128+N killed by signal N; 137 over --memory/--max-procs; 75 not started (lock busy, "
                + "retry breaker, memory, model cadence or fit) — try later.\n\nExamples:\n  rein run --timeout 30m --idle-timeout 5m -- make ci\n"
                + "  rein run --lock ci --wait 10m -- make ci\n  rein run --model mlx-community/gemma-4-31b-it-8bit --wait -- python serve.py\n  rein run --memory 12G --env-offline --report verdict.json -- python serve.py"
        )
        {
            o.Timeout,
            o.IdleTimeout,
            o.Grace,
            o.Report,
            o.EnvOffline,
            o.Foreground,
            o.Lock,
            o.Wait,
            o.Force,
            o.BreakerCooldown,
            o.Memory,
            o.WarnBefore,
            o.OnGrowth,
            o.Containers,
            o.MaxProcs,
            o.CapMethod,
            o.MinAvailable,
            o.Classify,
        };
        foreach (var option in o.Models.All)
        {
            cmd.Options.Add(option);
        }

        cmd.Arguments.Add(o.CommandArgument);
        return cmd;
    }

    /// <summary>The command as shown by <c>rein --help</c>; real invocations go through <see cref="Execute"/>.</summary>
    public static Command Build()
    {
        var cmd = Create(new Options());
        cmd.SetAction(_ => Execute([]));
        return cmd;
    }

    public static int Execute(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        var optionArgs = split < 0 ? args : args[..split];
        var command = split < 0 ? [] : args[(split + 1)..];

        var o = new Options();
        // Parsed under a root command so --help (a root-level, recursive option) works and reads "rein run".
        var root = HelpWidth.Narrow(new RootCommand { Create(o) });
        var parse = root.Parse(["run", .. optionArgs]);
        if (optionArgs.Any(a => a is "-h" or "--help" or "-?"))
        {
            return parse.Invoke();
        }

        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine(
                $"rein run: {ReinCli.OneLine(parse.Errors[0].Message)} (see rein run --help)"
            );
            return ExitCodes.ReinFailed;
        }

        if (split < 0)
        {
            Console.Error.WriteLine(
                "rein run: put the command after --, e.g. `rein run --timeout 30m -- make ci` (see rein run --help)"
            );
            return ExitCodes.ReinFailed;
        }

        if (parse.GetValue(o.CommandArgument) is { Length: > 0 } stray)
        {
            Console.Error.WriteLine(
                $"rein run: unexpected '{stray[0]}' before -- (unknown option, or the command is missing its --; see rein run --help)"
            );
            return ExitCodes.ReinFailed;
        }

        if (command.Length == 0)
        {
            Console.Error.WriteLine("rein run: no command after -- (e.g. `rein run -- make ci`)");
            return ExitCodes.ReinFailed;
        }

        if (
            parse.GetResult(o.Report) is not null
            && ReportPathProblem(parse.GetValue(o.Report)) is { } bad
        )
        {
            // Refused before anything runs: afterwards a failed write would hide the command's status.
            Console.Error.WriteLine($"rein run: --report: {bad}");
            return ExitCodes.ReinFailed;
        }

        var settings = o.Models.Apply(
            new RunSettings
            {
                Command = command,
                Lock = parse.GetValue(o.Lock),
                // --wait alone: forever (empty); not given: null.
                Wait = parse.GetResult(o.Wait) is null ? null : parse.GetValue(o.Wait) ?? "",
                Force = parse.GetValue(o.Force),
                Foreground = parse.GetValue(o.Foreground),
                EnvOffline = parse.GetValue(o.EnvOffline),
                Classify = parse.GetValue(o.Classify),
            }
                .WithFlag(Settings.Timeout, parse.GetValue(o.Timeout), o.Timeout.Name)
                .WithFlag(Settings.IdleTimeout, parse.GetValue(o.IdleTimeout), o.IdleTimeout.Name)
                .WithFlag(Settings.Grace, parse.GetValue(o.Grace), o.Grace.Name)
                .WithFlag(
                    Settings.BreakerCooldown,
                    parse.GetValue(o.BreakerCooldown),
                    o.BreakerCooldown.Name
                )
                .WithFlag(Settings.Memory, parse.GetValue(o.Memory), o.Memory.Name)
                .WithFlag(Settings.WarnBefore, parse.GetValue(o.WarnBefore), o.WarnBefore.Name)
                .WithFlag(Settings.OnGrowth, parse.GetValue(o.OnGrowth), o.OnGrowth.Name)
                .WithFlag(Settings.Containers, parse.GetValue(o.Containers), o.Containers.Name)
                .WithFlag(Settings.MaxProcs, parse.GetValue(o.MaxProcs), o.MaxProcs.Name)
                .WithFlag(Settings.CapMethod, parse.GetValue(o.CapMethod), o.CapMethod.Name)
                .WithFlag(
                    Settings.MinAvailable,
                    parse.GetValue(o.MinAvailable),
                    o.MinAvailable.Name
                ),
            parse
        );

        EffectiveConfig config;
        BuiltRun built;
        try
        {
            config = CliConfig.Load(settings.Flags);
            built = RunSpecBuilder.FromSettings(
                settings,
                config,
                // Only a model run looks at the state folder this early (JournalAccess.StateDir checks it).
                settings.Models.Count > 0
                    ? ModelsRunOptions.Context("run")
                    : null
            );
        }
        catch (Exception e) when (e is ConfigException or RunSettingsException)
        {
            Console.Error.WriteLine($"rein run: {e.Message}");
            return ExitCodes.ReinFailed;
        }

        return Run(built.Spec, parse.GetValue(o.Report), config, built.Admission);
    }

    static int Run(
        RunSpec spec,
        string? reportPath,
        EffectiveConfig config,
        AdmissionRequest admissionRequest
    )
    {
        RunVerdict verdict;
        using (var status = new StatusLine())
        {
            var options = new GuardedRunOptions
            {
                StateDirectory = JournalAccess.StateDir,
                Admission = admissionRequest,
                Retention = (
                    config.WholeNumber(Settings.JournalKeepRuns),
                    config.WholeNumber(Settings.JournalKeepDays)
                ),
                ForwardSignals = true,
                Status = refusal =>
                    status.Show(RefusalText.Waiting(refusal, DateTimeOffset.UtcNow)),
                Warn = message => Console.Error.WriteLine($"rein run: {message}"),
                Observer = spec.WarnBefore is null ? null : new GrowthText.Sayer("run"),
            };
            try
            {
                verdict = new GuardedRun(spec, options).Run();
            }
            catch (Exception e)
                when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Console.Error.WriteLine($"rein run: {e.Message}");
                return ExitCodes.ReinFailed;
            }
        }

        if (verdict.Refusal is { } refused)
        {
            Console.Error.WriteLine(
                $"rein run: {RefusalText.Sentence(refused, DateTimeOffset.UtcNow, admissionRequest.Wait is not null, commandWidth: Math.Max(24, Consoles.StderrWidth() - 40))}"
            );
        }

        if (reportPath is not null)
        {
            try
            {
                File.WriteAllText(
                    reportPath,
                    System.Text.Json.JsonSerializer.Serialize(
                        Documents.RunDocument.From(verdict, spec.Command),
                        Documents.ReinJsonContext.Readable.RunDocument
                    ) + "\n"
                );
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rein run: cannot write report {reportPath}: {e.Message}");
            }
        }

        if (
            verdict.Outcome != RunOutcome.Refused
            && RunSummary.Summary(verdict, spec.Command, spec) is { } summary
        )
        {
            Console.Error.WriteLine(summary);
        }

        if (RunSummary.ContainersLines(verdict) is { } containerLines)
        {
            Console.Error.WriteLine(containerLines);
        }

        if (RunSummary.FailureLine(verdict, spec) is { } failure)
        {
            Console.Error.WriteLine(failure);
        }

        RunEndExport.After(config);

        return verdict.ReinExitCode;
    }

    static string? ReportPathProblem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "needs a file name (e.g. --report verdict.json)";
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        return dir is not null && !Directory.Exists(dir) ? $"the directory {dir} does not exist"
            : Directory.Exists(path) ? $"{path} is a directory"
            : null;
    }
}
