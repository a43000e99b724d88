using System.CommandLine;
using System.Runtime.InteropServices;
using Rein.Config;
using Rein.Journal;
using Rein.Running;

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
    }

    static Command Create(Options o)
    {
        var cmd = new Command(
            "run",
            "Run COMMAND under guard: bounded in time, its whole process tree killed on the way out (also when rein is "
                + "interrupted or killed). Exit codes: the command's own; 124 timed out/idle; 125 rein failed or bad usage; "
                + "126 cannot execute; 127 not found; 128+N killed by signal N.\n\nExample: rein run --timeout 30m --idle-timeout 5m -- make ci"
        )
        {
            o.Timeout,
            o.IdleTimeout,
            o.Grace,
            o.Report,
            o.EnvOffline,
            o.Foreground,
        };
        cmd.Arguments.Add(
            new Argument<string[]>("command")
            {
                Description =
                    "-- then the command and its arguments (passed through untouched, never through a shell)",
                Arity = ArgumentArity.ZeroOrMore,
            }
        );
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
        var cmd = Create(o);
        var parse = cmd.Parse(optionArgs);
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

        if (command.Length == 0)
        {
            Console.Error.WriteLine("rein run: no command after -- (e.g. `rein run -- make ci`)");
            return ExitCodes.ReinFailed;
        }

        EffectiveConfig config;
        try
        {
            var flags = new Dictionary<string, (string, string)>();
            AddFlag(flags, parse, o.Timeout, Settings.Timeout);
            AddFlag(flags, parse, o.IdleTimeout, Settings.IdleTimeout);
            AddFlag(flags, parse, o.Grace, Settings.Grace);
            config = CliConfig.Load(flags);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"rein run: {e.Message}");
            return ExitCodes.ReinFailed;
        }

        var spec = new RunSpec
        {
            Command = command,
            Timeout = config.Duration(Settings.Timeout),
            IdleTimeout = config.Duration(Settings.IdleTimeout),
            Grace = config.Duration(Settings.Grace),
            KillWait = config.Duration(Settings.KillBound),
            Foreground = parse.GetValue(o.Foreground),
            EnvOffline = parse.GetValue(o.EnvOffline),
            KeeperCommand = KeeperCommand(),
            Subreaper = true,
        };

        return Run(spec, parse.GetValue(o.Report), config);
    }

    static int Run(RunSpec spec, string? reportPath, EffectiveConfig config)
    {
        static void Warn(string message) => Console.Error.WriteLine($"rein run: {message}");

        var store = JournalAccess.Open("run");
        var boot = JournalAccess.Boot;
        var recorder = store is null ? null : new JournalRecorder(store, boot, Warn);
        // The daily prune runs on its own connection while the command runs, so it never delays the spawn.
        var prune =
            store is not null && store.PruneDue(DateTimeOffset.UtcNow, TimeSpan.FromDays(1))
                ? Task.Run(() => Prune(config))
                : Task.CompletedTask;

        RunVerdict verdict;
        try
        {
            using var guard = new Guard(spec, recorder);
            // .NET 10 has no default SIGTERM handler; cancel the default so the guard decides, and forward.
            using var registrations = new SignalForwarding(guard);
            verdict = guard.Run();
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"rein run: {e.Message}");
            return ExitCodes.ReinFailed;
        }
        finally
        {
            // Unclean-end detection is one indexed query when nothing is wrong.
            Try(() =>
                store?.Reconcile(boot, Rein.Processes.ProcessTables.Current, DateTimeOffset.UtcNow)
            );
            prune.Wait(TimeSpan.FromSeconds(2));
            store?.Dispose();
        }

        if (reportPath is not null)
        {
            try
            {
                File.WriteAllText(reportPath, RunReport.ToJson(verdict, spec.Command) + "\n");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rein run: cannot write report {reportPath}: {e.Message}");
            }
        }

        if (RunReport.Summary(verdict, spec.Command, spec) is { } summary)
        {
            Console.Error.WriteLine(summary);
        }

        return verdict.ReinExitCode;
    }

    static void Prune(EffectiveConfig config) =>
        Try(() =>
        {
            using var store = JournalStore.Open(JournalAccess.StateDir);
            store.Prune(
                config.WholeNumber(Settings.JournalKeepRuns),
                config.WholeNumber(Settings.JournalKeepDays),
                DateTimeOffset.UtcNow
            );
        });

    /// <summary>Housekeeping is best effort; the next invocation tries again.</summary>
    static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
            when (e is Microsoft.Data.Sqlite.SqliteException or JournalException or IOException) { }
    }

    static void AddFlag(
        Dictionary<string, (string, string)> flags,
        ParseResult parse,
        Option<string?> option,
        SettingDefinition setting
    )
    {
        if (parse.GetValue(option) is { } raw)
        {
            flags[setting.Key] = (raw, option.Name);
        }
    }

    /// <summary>How to start our own keeper: this executable with the hidden <c>__keeper</c> verb.</summary>
    internal static IReadOnlyList<string>? KeeperCommand()
    {
        var path = Environment.ProcessPath;
        if (path is null)
        {
            return null;
        }

        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            // Running as `dotnet rein.dll` (framework-dependent tool): start the same assembly.
            return [path, Path.Combine(AppContext.BaseDirectory, "rein.dll"), "__keeper"];
        }

        return [path, "__keeper"];
    }

    sealed class SignalForwarding : IDisposable
    {
        readonly List<PosixSignalRegistration> _registrations = [];

        public SignalForwarding(Guard guard)
        {
            foreach (
                var (signal, number) in new[]
                {
                    (PosixSignal.SIGINT, 2),
                    (PosixSignal.SIGTERM, 15),
                    (PosixSignal.SIGHUP, 1),
                    (PosixSignal.SIGQUIT, 3),
                }
            )
            {
                _registrations.Add(
                    PosixSignalRegistration.Create(
                        signal,
                        ctx =>
                        {
                            ctx.Cancel = true;
                            guard.Interrupt(number);
                        }
                    )
                );
            }
        }

        public void Dispose()
        {
            foreach (var r in _registrations)
            {
                r.Dispose();
            }
        }
    }
}
