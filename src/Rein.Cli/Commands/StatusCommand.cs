using System.CommandLine;
using System.Runtime.InteropServices;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Processes;
using Rein.Running;
using Rein.Status;

namespace Rein.Cli.Commands;

/// <summary><c>rein status [--json] [--write FILE [--every DUR]]</c>: one look at everything Rein is doing here.</summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.status/1)",
        };
        var write = new Option<string?>("--write")
        {
            Description =
                "Write the JSON document to FILE instead (replaced atomically: a reader never sees half)",
            HelpName = "FILE",
        };
        var every = new Option<string?>("--every")
        {
            Description = "With --write: write it again every DUR until interrupted (e.g. 10s)",
            HelpName = "DUR",
        };
        var cmd = new Command(
            "status",
            "One look at everything Rein is doing on this machine: runs alive, locks, model-load blocks, the "
                + "panic gate, supervisors and the last panic. --write FILE --every DUR keeps a status file fresh "
                + "for a dashboard or a menu-bar widget.\n\nExamples:\n  rein status\n  rein status --json\n"
                + "  rein status --write ~/.rein-status.json --every 10s"
        )
        {
            json,
            write,
            every,
        };
        cmd.SetAction(parse =>
        {
            TimeSpan? interval = null;
            if (parse.GetValue(every) is { } text)
            {
                if (!DurationParser.TryParse(text, out var d, out var error) || d <= TimeSpan.Zero)
                {
                    Console.Error.WriteLine(
                        $"rein status: --every: {error ?? "must be more than 0"}"
                    );
                    return ExitCodes.BadUsage;
                }

                if (parse.GetValue(write) is null)
                {
                    Console.Error.WriteLine("rein status: --every needs --write FILE");
                    return ExitCodes.BadUsage;
                }

                interval = d;
            }

            if (parse.GetValue(write) is { } file)
            {
                return WriteFile(file, interval);
            }

            var doc = Read();
            if (parse.GetValue(json))
            {
                Console.WriteLine(
                    System.Text.Json.JsonSerializer.Serialize(
                        doc,
                        Rein.Documents.ReinJsonContext.Readable.StatusDocument
                    )
                );
            }
            else
            {
                StatusText.Write(Consoles.Stdout(), doc, TimeZoneInfo.Local);
            }

            foreach (var p in doc.Problems)
            {
                Console.Error.WriteLine($"rein status: {CommandText.Escape(p)}");
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static StatusDocument Read() =>
        StatusReader.Read(
            JournalAccess.StateDir,
            ProcessTables.Current,
            JournalAccess.Boot,
            CliConfig.LoadForReading(),
            PanicGateAccess.Sources,
            DateTimeOffset.UtcNow
        );

    static int WriteFile(string file, TimeSpan? interval)
    {
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        void Stop(PosixSignalContext c)
        {
            c.Cancel = true;
            stop.Cancel();
        }

        do
        {
            try
            {
                StatusFile.Write(file, Read());
            }
            catch (DirectoryNotFoundException)
            {
                Console.Error.WriteLine(
                    $"rein status: cannot write {CommandText.Escape(file)}: its folder does not exist"
                );
                return ExitCodes.Findings;
            }
            catch (Exception e)
                when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                Console.Error.WriteLine(
                    $"rein status: cannot write {CommandText.Escape(file)}: {e.Message}"
                );
                return ExitCodes.Findings;
            }

            if (interval is not { } wait || stop.Token.WaitHandle.WaitOne(wait))
            {
                return ExitCodes.Ok;
            }
        } while (true);
    }
}
