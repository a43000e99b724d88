using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Locking;
using Rein.Running;
using Spectre.Console;

namespace Rein.Cli.Commands;

/// <summary><c>rein locks</c>: every named lock, its slots, holders and waiters.</summary>
internal static class LocksCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.locks/1)",
        };
        var cmd = new Command(
            "locks",
            "List named locks (rein run --lock NAME[:SLOTS]): slots, who holds them, who waits"
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            var locks = new LockDirectory(JournalAccess.StateDir).List();
            var now = DateTimeOffset.UtcNow;
            if (parse.GetValue(json))
            {
                WriteJson(locks, now);
            }
            else
            {
                WriteTable(Consoles.Stdout(), locks, now);
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static void WriteJson(
        IReadOnlyList<(
            string Name,
            IReadOnlyList<SlotStatus> Slots,
            IReadOnlyList<LockHolder> Waiters
        )> locks,
        DateTimeOffset now
    )
    {
        DocumentOutput.Print(
            Documents.LocksDocument.From(locks, now),
            Documents.ReinJsonContext.Readable.LocksDocument
        );
    }

    internal static void WriteTable(
        IAnsiConsole console,
        IReadOnlyList<(
            string Name,
            IReadOnlyList<SlotStatus> Slots,
            IReadOnlyList<LockHolder> Waiters
        )> locks,
        DateTimeOffset now
    )
    {
        if (locks.Count == 0)
        {
            console.WriteLine("no locks yet (rein run --lock NAME -- COMMAND creates one)");
            return;
        }

        var t = new TextTable(["lock", "slot", "state", "pid", "held for"], ["command"]);
        var notes = new List<string>();
        foreach (var (name, slots, waiters) in locks)
        {
            foreach (var s in slots)
            {
                var state =
                    s.Stuck is not null ? new TextCell("stuck", "red")
                    : s.HolderProcess is { IsStopped: true } ? new TextCell("stopped", "red")
                    : s.HolderCondition is not null ? new TextCell("stuck", "red")
                    : new TextCell(s.Held ? "held" : "free");
                t.AddRow(
                    [
                        CommandText.Escape(name),
                        s.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        state,
                        s.Holder?.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)
                            ?? "",
                        s.Holder is { } h ? DurationParser.Format(now - h.HeldSince) : "",
                    ],
                    CommandText.Escape(s.Holder?.Command ?? "")
                );
                if (s.Stuck is { } stuck)
                {
                    notes.Add(
                        $"{name}.{s.Slot}: unkillable process(es) {string.Join(", ", stuck.Pids)} of run {stuck.RunId} "
                            + "keep the slot refused until they are gone (reboot needed)"
                    );
                }
                else if (s.HolderCondition is { } condition)
                {
                    notes.Add($"{name}.{s.Slot}: holder pid {s.Holder?.Pid} is {condition}");
                }
            }

            foreach (var w in waiters)
            {
                t.AddRow(
                    [
                        CommandText.Escape(name),
                        "",
                        "waiting",
                        w.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        DurationParser.Format(now - w.Since),
                    ],
                    CommandText.Escape(w.Command)
                );
            }
        }

        t.Write(console);
        foreach (var note in notes)
        {
            console.MarkupLine(Markup.Escape(CommandText.Escape(note)));
        }
    }
}
