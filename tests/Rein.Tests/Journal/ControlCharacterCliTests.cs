using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>An argument holding ESC, CR, LF, TAB or a C1 code must never reach the user's terminal raw from any
/// human output: it could recolour it, rewrite the line before it or forge a line of its own.</summary>
public sealed class ControlCharacterCliTests : RunTestBase
{
    const string Hostile = "\u001b[31mred\r\nrein: forged line\tand\u0085more\u0007";

    static void AssertNoControlCharacters(string output, string what)
    {
        var bad = output.Where(c => char.IsControl(c) && c != '\n').ToList();
        Assert.True(
            bad.Count == 0,
            $"{what} holds raw control characters ({string.Join(" ", bad.Select(c => $"U+{(int)c:X4}"))}): {output}"
        );
    }

    [Fact]
    public void Verdict_and_journal_views_escape_control_characters_in_arguments()
    {
        var r = ReinProcess.Run(
            // The hostile argument comes first: the verdict shortens long commands.
            [
                "run",
                "--timeout",
                "300ms",
                "--grace",
                "100ms",
                "--",
                "sh",
                "-c",
                "sleep 5",
                Hostile,
                Marker,
            ],
            HomeEnv()
        );
        Assert.Equal(124, r.ExitCode);
        AssertNoControlCharacters(r.Stderr, "the verdict on stderr");
        Assert.Contains(@"$'\e[31mred\r\nrein: forged", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));

        var list = ReinProcess.Run(["journal"], HomeEnv());
        Assert.Equal(0, list.ExitCode);
        AssertNoControlCharacters(list.Stdout, "rein journal");
        Assert.Contains(@"$'\e[31mred", list.Stdout);

        var id = JsonDocument
            .Parse(ReinProcess.Run(["journal", "--json"], HomeEnv()).Stdout)
            .RootElement.GetProperty("runs")[0]
            .GetProperty("run_id")
            .GetString()!;
        var show = ReinProcess.Run(["journal", "show", id], HomeEnv());
        Assert.Equal(0, show.ExitCode);
        AssertNoControlCharacters(show.Stdout, "rein journal show");
        Assert.Contains(@"$'\e[31mred\r\nrein: forged line\tand\u0085more\a'", show.Stdout);
    }

    [Fact]
    public void Locks_and_busy_refusals_escape_control_characters_in_the_holder_command()
    {
        var lockName = "ctl-" + Guid.NewGuid().ToString("N")[..8];
        using var holder = ReinProcess.Start(
            [
                "run",
                "--lock",
                lockName,
                "--",
                Paths.Helper,
                Marker,
                "pidfile",
                PidFile,
                "hang",
                Hostile,
            ],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));

        var locks = ReinProcess.Run(["locks"], HomeEnv());
        Assert.Equal(0, locks.ExitCode);
        AssertNoControlCharacters(locks.Stdout, "rein locks");
        Assert.Contains(@"\e[31mred", locks.Stdout);

        var busy = ReinProcess.Run(["run", "--lock", lockName, "--", "true"], HomeEnv());
        Assert.Equal(75, busy.ExitCode);
        AssertNoControlCharacters(busy.Stderr, "the busy refusal");
        Assert.Contains(@"\e[31mred", busy.Stderr);
        Assert.Single(busy.Stderr.TrimEnd().Split('\n'));

        var ps = ReinProcess.Run(["ps"], HomeEnv());
        AssertNoControlCharacters(ps.Stdout, "rein ps");
        ProcessProbe.KillAll(Marker);
    }
}
