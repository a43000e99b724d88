using System.CommandLine;
using System.Globalization;
using Rein.Config;
using Rein.Running;
using Rein.Setup;
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
        var settings = new RunSettings
        {
            Command = command,
            Verb = RunVerb.Supervise,
            Lock = parse.GetValue(o.Lock),
            EnvOffline = parse.GetValue(o.EnvOffline),
        }
            .WithFlag(Settings.Timeout, parse.GetValue(o.Timeout), o.Timeout.Name)
            .WithFlag(Settings.IdleTimeout, parse.GetValue(o.IdleTimeout), o.IdleTimeout.Name)
            .WithFlag(Settings.Grace, parse.GetValue(o.Grace), o.Grace.Name)
            .WithFlag(Settings.Memory, parse.GetValue(o.Memory), o.Memory.Name)
            .WithFlag(Settings.WarnBefore, parse.GetValue(o.WarnBefore), o.WarnBefore.Name)
            .WithFlag(Settings.OnGrowth, parse.GetValue(o.OnGrowth), o.OnGrowth.Name)
            .WithFlag(Settings.MaxProcs, parse.GetValue(o.MaxProcs), o.MaxProcs.Name)
            .WithFlag(Settings.CapMethod, parse.GetValue(o.CapMethod), o.CapMethod.Name)
            .WithFlag(Settings.MinAvailable, parse.GetValue(o.MinAvailable), o.MinAvailable.Name);
        var config = CliConfig.Load(settings.Flags);
        BuiltRun built;
        try
        {
            built = RunSpecBuilder.FromSettings(settings, config);
        }
        catch (RunSettingsException e)
        {
            throw new UsageException(e.Message);
        }

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

        return (built.Spec, policy, built.Admission);
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
