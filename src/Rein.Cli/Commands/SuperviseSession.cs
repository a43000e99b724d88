using System.Runtime.InteropServices;
using System.Text.Json;
using Rein.Cli.Rendering;
using Rein.Documents;
using Rein.Running;
using Rein.Supervision;

namespace Rein.Cli.Commands;

/// <summary>Runs one supervision for the CLI: signals → stop, events → stderr lines and <c>--events</c>, a status
/// line on a terminal, <c>--report</c> at the end, the exit code.</summary>
internal static class SuperviseSession
{
    public static int Run(
        SupervisorSpec spec,
        RestartPolicy policy,
        string? reportPath,
        string? eventsPath
    )
    {
        using var events = eventsPath is null ? null : OpenEvents(eventsPath);
        var supervisor = new Supervisor(spec, policy, TimeProvider.System);
        using var status = new SuperviseStatus();
        var writeLock = new object();
        supervisor.Event += e =>
        {
            lock (writeLock)
            {
                if (events is not null)
                {
                    try
                    {
                        events.Write(
                            JsonSerializer.Serialize(
                                SuperviseEventDocument.From(e, spec.SupervisionId),
                                ReinJsonContext.Compact.SuperviseEventDocument
                            ) + "\n"
                        );
                        events.Flush();
                    }
                    catch (IOException) { }
                }

                if (SuperviseText.Say(e, spec.Worker, policy) is { } line)
                {
                    status.Say(line);
                }
            }
        };

        // A first SIGTERM/SIGINT/SIGHUP/SIGQUIT stops supervision (TERM → grace → KILL, exit 0); a second kills the
        // worker's tree at once and rein exits 128+N. .NET has no default SIGTERM handler: without these the shim
        // would SIGKILL the tree with no grace.
        var forcedBy = 0;
        var signals = new List<PosixSignalRegistration>();
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
            signals.Add(
                PosixSignalRegistration.Create(
                    signal,
                    ctx =>
                    {
                        ctx.Cancel = true;
                        if (supervisor.State is SupervisionState.Stopping)
                        {
                            Interlocked.CompareExchange(ref forcedBy, number, 0);
                            supervisor.Kill();
                        }
                        else
                        {
                            supervisor.RequestStop();
                        }
                    }
                )
            );
        }

        SupervisionResult result;
        try
        {
            var run = supervisor.RunAsync();
            while (!run.Wait(TimeSpan.FromSeconds(1)))
            {
                lock (writeLock)
                {
                    status.Show(SuperviseText.Status(supervisor, DateTimeOffset.UtcNow));
                }
            }

            result = run.GetAwaiter().GetResult();
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            status.Say($"rein supervise: {ReinCli.OneLine(e.Message)}");
            return ExitCodes.ReinFailed;
        }
        finally
        {
            foreach (var r in signals)
            {
                r.Dispose();
            }

            supervisor.DisposeAsync().AsTask().Wait(supervisor.StopBound);
        }

        var exitCode = forcedBy != 0 ? ExitCodes.SignalBase + forcedBy : result.ExitCode;
        if (reportPath is not null)
        {
            try
            {
                File.WriteAllText(
                    reportPath,
                    JsonSerializer.Serialize(
                        SuperviseReportDocument.From(
                            result,
                            spec.SupervisionId,
                            spec.Worker.Command
                        ) with
                        {
                            ReinExitCode = exitCode,
                        },
                        ReinJsonContext.Readable.SuperviseReportDocument
                    ) + "\n"
                );
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(
                    $"rein supervise: cannot write report {reportPath}: {e.Message}"
                );
            }
        }

        return exitCode;
    }

    static StreamWriter OpenEvents(string path)
    {
        try
        {
            return new StreamWriter(
                new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Config.ConfigException($"--events: cannot open {path}: {e.Message}");
        }
    }
}
