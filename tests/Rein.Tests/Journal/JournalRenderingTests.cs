using Rein.Cli.Commands;
using Rein.Cli.Rendering;
using Rein.Journal;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

public sealed class JournalRenderingTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 22, 18, 0, 0, TimeSpan.Zero);

    static RunRecord Run(string id, string[] command, int minutes) =>
        new()
        {
            Id = id,
            Command = command,
            WorkingDirectory = "/src/app",
            User = "dev",
            BootId = "boot-a",
            StartedAt = T0.AddMinutes(minutes),
        };

    static readonly RunRecord[] Runs =
    [
        Run(
            "20261122T181000Z-00000000c3",
            ["python", "serve.py", "--model", "mlx-community/gemma-4-31b-it-8bit"],
            10
        ) with
        {
            UncleanReason = UncleanReasons.MachineWentDown,
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
            DurationMs = 61_500,
        },
    ];

    [Fact]
    public void Journal_list_renders_outcomes_and_unclean_reasons()
    {
        var (console, output) = Golden.Console();
        JournalRendering.WriteRuns(console, Runs, null, T0.AddHours(2), TimeZoneInfo.Utc);
        Golden.Check("journal-list.txt", output.ToString());
    }

    [Fact]
    public void Previous_boot_view_says_how_many_runs_were_cut_off_and_for_how_long_they_ran()
    {
        var (console, output) = Golden.Console();
        JournalRendering.WriteRuns(
            console,
            Runs,
            new BootContext("boot-a-0123456789", T0.AddMinutes(52)),
            T0.AddHours(2),
            TimeZoneInfo.Utc
        );
        Golden.Check("journal-previous-boot.txt", output.ToString());
    }

    [Fact]
    public void Journal_show_lists_every_recorded_field()
    {
        var (console, output) = Golden.Console();
        JournalRendering.WriteRun(
            console,
            Runs[1] with
            {
                PidsKilled = [4242, 4243],
                PeakRssBytes = 3L << 30,
            },
            T0.AddHours(2),
            TimeZoneInfo.Utc
        );
        Golden.Check("journal-show.txt", output.ToString());
    }
}

public sealed class PsRenderingTests
{
    [Fact]
    public void Ps_table_shows_labels_memory_and_the_stuck_flag()
    {
        var t0 = new DateTimeOffset(2026, 11, 22, 18, 0, 0, TimeSpan.Zero);
        RunRecord Run(string id, string[] cmd, string? lockLabel) =>
            new()
            {
                Id = id,
                Command = cmd,
                WorkingDirectory = "/src/app",
                User = "dev",
                BootId = "b",
                StartedAt = t0,
                ChildPid = 4242,
                LockLabel = lockLabel,
            };
        var runs = new List<Rein.Cli.Commands.LiveRun>
        {
            new(Run("20261122T180000Z-00000000a1", ["make", "ci"], "ci"), 3L << 30, 12, []),
            new(
                Run("20261122T180000Z-00000000b2", ["python", "serve.py"], null) with
                {
                    ModelLabel = "gemma-4-31b",
                },
                9L << 30,
                1,
                [4242]
            ),
        };
        var (console, output) = Rein.Tests.Support.Golden.Console(130);
        Rein.Cli.Commands.PsCommand.WriteTable(console, runs, t0.AddMinutes(3).AddSeconds(12));
        Rein.Tests.Support.Golden.Check("ps-table.txt", output.ToString());
    }
}
