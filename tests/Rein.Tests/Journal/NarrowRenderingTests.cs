using Rein.Cli.Commands;
using Rein.Cli.Rendering;
using Rein.Journal;
using Rein.Locking;
using Rein.Processes;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>Human views at 80 columns, the width of many terminals: nothing one character per line, no column
/// dropped, no value (an id, a time, 232ms) split across lines, no line wider than the terminal.</summary>
public sealed class NarrowRenderingTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 22, 18, 0, 0, TimeSpan.Zero);

    static RunRecord Run(string id, string[] command, int minutes) =>
        new()
        {
            Id = id,
            Command = command,
            WorkingDirectory = "/home/dev/src/app",
            User = "dev",
            BootId = "boot-a",
            StartedAt = T0.AddMinutes(minutes),
            ChildPid = 424242,
        };

    internal static readonly RunRecord[] Runs =
    [
        Run(
            "20261122T181000Z-00000000c3",
            [
                "python",
                "serve.py",
                "--model",
                "mlx-community/gemma-4-31b-it-8bit",
                "--port",
                "8080",
            ],
            10
        ) with
        {
            EndedAt = T0.AddMinutes(11),
            Outcome = "max_procs_exceeded",
            ReinExitCode = 137,
            DurationMs = 61_000,
        },
        Run("20261122T180500Z-00000000b2", ["make", "ci"], 5) with
        {
            EndedAt = T0.AddMinutes(35),
            Outcome = "timed_out",
            ReinExitCode = 124,
            DurationMs = 30 * 60_000,
        },
        Run("20261122T180000Z-00000000a1", ["pytest", "-x", "tests/test with space.py"], 0) with
        {
            EndedAt = T0.AddMinutes(1),
            Outcome = "exited",
            ExitCode = 0,
            ReinExitCode = 0,
            DurationMs = 232,
        },
    ];

    static void AssertFits(string output, int width)
    {
        foreach (var line in output.Split('\n'))
        {
            Assert.True(line.TrimEnd().Length <= width, $"wider than {width}: '{line}'");
        }
    }

    [Fact]
    public void Journal_list_at_80_columns_keeps_every_column_and_whole_values()
    {
        var (console, output) = Golden.Console(80);
        JournalRendering.WriteRuns(console, Runs, null, T0.AddHours(2), TimeZoneInfo.Utc);
        var text = output.ToString();

        AssertFits(text, 80);
        Assert.Contains("232ms", text);
        Assert.Contains("make ci", text);
        Assert.Contains("mlx-community/gemma-4-31b-it-8bit", text);
        foreach (var r in Runs)
        {
            Assert.Contains(r.Id, text);
        }

        Golden.Check("journal-list-80.txt", text);
    }

    [Fact]
    public void Ps_at_80_columns_keeps_every_column_and_whole_values()
    {
        List<LiveRun> runs =
        [
            new(Runs[1] with { EndedAt = null, LockLabel = "ci" }, 3L << 30, 12, []),
            new(Runs[0] with { EndedAt = null, ModelLabel = "gemma-4-31b" }, 9L << 30, 1, [424242]),
        ];
        var (console, output) = Golden.Console(80);
        PsCommand.WriteTable(console, runs, T0.AddMinutes(13).AddSeconds(12));
        var text = output.ToString();

        AssertFits(text, 80);
        Assert.Contains("make ci", text);
        Assert.Contains("lock:ci", text);
        Assert.Contains("/home/dev/src/app", text);
        Assert.Contains("reboot", text);
        Assert.DoesNotContain("…", text.Split('\n')[0]); // no header squeezed to an ellipsis
        Golden.Check("ps-80.txt", text);
    }

    [Fact]
    public void Locks_at_80_columns_keep_every_column_and_whole_values()
    {
        var holder = new LockHolder(
            "20261122T180500Z-00000000b2",
            4242,
            1,
            "make -j8 ci PYTEST_ADDOPTS='-x --timeout 600' EXTRA_FLAGS=--verbose",
            T0.AddMinutes(1)
        )
        {
            AcquiredAt = T0.AddMinutes(5),
        };
        var waiter = new LockHolder(
            "20261122T181000Z-00000000c3",
            4343,
            1,
            "make ci",
            T0.AddMinutes(10)
        );
        var frozen = new ProcessInfo(4444, 1, 4444, 4444, 'T', 1, 0, "make");
        IReadOnlyList<(string, IReadOnlyList<SlotStatus>, IReadOnlyList<LockHolder>)> locks =
        [
            (
                "ci",
                [
                    new SlotStatus(0, true, holder, null, null),
                    new SlotStatus(1, true, holder with { Pid = 4444 }, frozen, null),
                    new SlotStatus(2, false, null, null, null),
                ],
                [waiter]
            ),
        ];
        var (console, output) = Golden.Console(80);
        LocksCommand.WriteTable(console, locks, T0.AddMinutes(11).AddSeconds(30));
        var text = output.ToString();

        AssertFits(text, 80);
        Assert.Contains("6m30s", text); // held since acquisition (18:05), not since its wait began (18:01)
        Assert.DoesNotContain("10m30s", text);
        Assert.Contains("EXTRA_FLAGS=--verbose", text);
        Assert.Contains("SIGCONT", text);
        Golden.Check("locks-80.txt", text);
    }
}
