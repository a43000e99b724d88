using System.CommandLine;
using System.Globalization;
using Rein.Config;
using Rein.Locking;
using Rein.Running;
using Rein.Supervision;

namespace Rein.Cli.Commands;

/// <summary><c>rein supervise [options] -- COMMAND [ARGS...]</c>: parse → <see cref="Supervisor"/> → exit code.</summary>
internal static class SuperviseCommand
{
    const string Verb = "rein supervise";

    /// <summary>The command as shown by <c>rein --help</c>; real invocations go through <see cref="Execute"/>.</summary>
    public static Command Build()
    {
        var cmd = new SuperviseOptions().Create();
        cmd.SetAction(_ => Execute([]));
        return cmd;
    }

    /// <summary>Bad usage: one line, exit 125, nothing started (as <c>rein run</c>: a wrapper's own failures are 125).</summary>
    sealed class UsageException(string message) : Exception(message);

    public static int Execute(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        var optionArgs = split < 0 ? args : args[..split];
        var command = split < 0 ? [] : args[(split + 1)..];
        var o = new SuperviseOptions();
        var parse = Rendering
            .HelpWidth.Narrow(new RootCommand { o.Create() })
            .Parse(["supervise", .. optionArgs]);
        if (optionArgs.Any(a => a is "-h" or "--help" or "-?"))
        {
            return parse.Invoke();
        }

        try
        {
            if (parse.Errors.Count > 0)
            {
                throw new UsageException(ReinCli.OneLine(parse.Errors[0].Message));
            }

            if (parse.GetValue(o.CommandArgument) is { Length: > 0 } stray)
            {
                throw new UsageException(
                    $"unexpected '{stray[0]}' before -- (unknown option, or the command is missing its --)"
                );
            }

            if (split < 0 || command.Length == 0)
            {
                throw new UsageException(
                    "put the worker command after --, e.g. `rein supervise -- python serve.py`"
                );
            }

            var (spec, policy, admission) = Specs(parse, o, command);
            var report = OutputPath(parse, o.Report);
            var events = OutputPath(parse, o.Events);
            return SuperviseSession.Run(
                new SupervisorSpec
                {
                    Worker = spec,
                    Run = new GuardedRunOptions
                    {
                        StateDirectory = JournalAccess.StateDir,
                        Admission = admission,
                        Warn = m => Console.Error.WriteLine($"{Verb}: {m}"),
                    },
                    RecycleAfter = Duration(parse, o.RecycleAfter, null),
                    RecycleAfterRequests = parse.GetValue(o.RecycleAfterRequests) is null
                        ? null
                        : Count(parse, o.RecycleAfterRequests, 0, min: 1),
                    HangAfter = parse.GetValue(o.RestartOnHang)
                        ? CliConfig
                            .Load(new Dictionary<string, (string, string)>())
                            .Duration(Settings.HangAfter)
                        : null,
                    StopAfterIdle = Duration(parse, o.StopAfterIdle, null) is { } idle
                        ? idle > TimeSpan.Zero
                            ? idle
                            : throw new UsageException("--stop-after-idle: must be more than 0s")
                        : null,
                    Health = parse.GetValue(o.HealthCmd) is { } probe
                        ? new HealthCheck(
                            ["/bin/sh", "-c", "exec >/dev/null 2>&1; " + probe],
                            Duration(parse, o.HealthInterval, TimeSpan.FromSeconds(30))!.Value,
                            Duration(parse, o.HealthTimeout, TimeSpan.FromSeconds(10))!.Value,
                            Count(parse, o.HealthRetries, 3, min: 1)
                        )
                        : null,
                    HeartbeatFile = parse.GetValue(o.HeartbeatFile) is { } beat
                        ? Path.GetFullPath(beat)
                        : null,
                    HeartbeatTimeout = Duration(
                        parse,
                        o.HeartbeatTimeout,
                        TimeSpan.FromSeconds(30)
                    )!.Value,
                },
                policy,
                report,
                events
            );
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{Verb}: {e.Message} (see rein supervise --help)");
            return ExitCodes.ReinFailed;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"{Verb}: {e.Message}");
            return ExitCodes.ReinFailed;
        }
    }

    static (RunSpec, RestartPolicy, AdmissionRequest) Specs(
        ParseResult parse,
        SuperviseOptions o,
        string[] command
    )
    {
        var flags = new Dictionary<string, (string, string)>();
        void Flag(Option<string?> option, SettingDefinition setting)
        {
            if (parse.GetValue(option) is { } raw)
            {
                flags[setting.Key] = (raw, option.Name);
            }
        }

        Flag(o.Timeout, Settings.Timeout);
        Flag(o.IdleTimeout, Settings.IdleTimeout);
        Flag(o.Grace, Settings.Grace);
        Flag(o.Memory, Settings.Memory);
        Flag(o.WarnBefore, Settings.WarnBefore);
        Flag(o.OnGrowth, Settings.OnGrowth);
        Flag(o.MaxProcs, Settings.MaxProcs);
        Flag(o.CapMethod, Settings.CapMethod);
        Flag(o.MinAvailable, Settings.MinAvailable);
        var config = CliConfig.Load(flags);

        LockRequest? lockRequest = null;
        if (
            parse.GetValue(o.Lock) is { } lockText
            && !LockRequest.TryParse(lockText, out lockRequest, out var lockError)
        )
        {
            throw new UsageException($"--lock {lockError}");
        }

        var method = config[Settings.CapMethod].Raw switch
        {
            "auto" => Running.CapMethod.Auto,
            "cgroup" => Running.CapMethod.Cgroup,
            "poll" => Running.CapMethod.Poll,
            var bad => throw new UsageException(
                $"invalid run.cap_method from {config[Settings.CapMethod].Source}: '{bad}' (use auto, cgroup or poll)"
            ),
        };
        // A supervised worker is not stopped for good: "restart" (stop this incarnation, start the next) is the word
        // here, and "stop" from a shared rein.toml means the same.
        var onGrowth = config[Settings.OnGrowth].Raw switch
        {
            "warn" => GrowthAction.Warn,
            "restart" or "stop" => GrowthAction.Stop,
            var bad => throw new UsageException(
                $"invalid run.on_growth from {config[Settings.OnGrowth].Source}: '{bad}' (use warn or restart)"
            ),
        };
        var spec = new RunSpec
        {
            Command = command,
            WarnBefore = config.Duration(Settings.WarnBefore) is { Ticks: > 0 } horizon
                ? horizon
                : null,
            OnGrowth = onGrowth,
            Timeout = config.Duration(Settings.Timeout),
            IdleTimeout = config.Duration(Settings.IdleTimeout),
            Grace = config.Duration(Settings.Grace),
            KillWait = config.Duration(Settings.KillBound),
            EnvOffline = parse.GetValue(o.EnvOffline),
            LockLabel = lockRequest?.Label,
            MemoryLimit = config.Size(Settings.Memory) is > 0 and var m ? m : null,
            MaxProcs = config.WholeNumber(Settings.MaxProcs) is > 0 and var p ? (int)p : null,
            CapMethod = method,
            // The user's [[classify.rule]] as rein run reads them: a bad one is a config error before the start.
            ClassificationRules = Forensics.Classification.ClassificationRules.FromConfig(config),
        };
        var policy = new RestartPolicy
        {
            Mode = parse.GetValue(o.Restart) switch
            {
                null or "on-failure" => RestartMode.OnFailure,
                "always" => RestartMode.Always,
                var bad => throw new UsageException(
                    $"--restart: '{bad}' is not on-failure or always"
                ),
            },
            MaxRestarts = Count(parse, o.MaxRestarts, 10, min: 0),
            Window = Duration(parse, o.RestartWindow, TimeSpan.FromHours(1))!.Value,
            BackoffMin = Duration(parse, o.BackoffMin, TimeSpan.FromSeconds(2))!.Value,
            BackoffMax = Duration(parse, o.BackoffMax, TimeSpan.FromSeconds(60))!.Value,
            HealthyAfter = Duration(parse, o.HealthyAfter, TimeSpan.FromSeconds(60))!.Value,
        };
        if (policy.Problem() is { } problem)
        {
            throw new UsageException(problem);
        }

        var admission = new AdmissionRequest
        {
            Lock = lockRequest,
            MinAvailable = config.Size(Settings.MinAvailable),
            MinAvailableSource = config[Settings.MinAvailable].Source,
            MaxPressure = config.WholeNumber(Settings.MaxMemoryPressure),
        };
        return (spec, policy, admission);
    }

    static TimeSpan? Duration(ParseResult parse, Option<string?> option, TimeSpan? fallback)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return fallback;
        }

        return DurationParser.TryParse(text, out var value, out var error)
            ? value
            : throw new UsageException($"{option.Name}: {error}");
    }

    static int Count(ParseResult parse, Option<string?> option, int fallback, int min)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return fallback;
        }

        return
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= min
            ? n
            : throw new UsageException(
                $"{option.Name}: '{text}' is not a whole number of at least {min}"
            );
    }

    /// <summary>Checked before anything runs: afterwards a failed write would hide how supervision ended.</summary>
    static string? OutputPath(ParseResult parse, Option<string?> option)
    {
        if (parse.GetResult(option) is null)
        {
            return null;
        }

        var path = parse.GetValue(option);
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new UsageException($"{option.Name} needs a file name");
        }

        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        return dir is not null && !Directory.Exists(dir)
                ? throw new UsageException($"{option.Name}: the directory {dir} does not exist")
            : Directory.Exists(path)
                ? throw new UsageException($"{option.Name}: {path} is a directory")
            : Path.GetFullPath(path);
    }
}
