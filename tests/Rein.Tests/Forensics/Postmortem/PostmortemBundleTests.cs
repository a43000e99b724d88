using System.Text.Json;
using Rein.Forensics.Postmortem;
using Rein.Journal;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Postmortem;

public sealed class PostmortemBundleTests : IDisposable
{
    static readonly DateTimeOffset Panic = new(2026, 11, 22, 12, 5, 2, TimeSpan.Zero);

    readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("rein-postmortem-");

    public void Dispose() => _temp.Delete(recursive: true);

    static RunRecord Run(string id, DateTimeOffset started, DateTimeOffset? ended, string? model) =>
        new()
        {
            Id = id,
            Command = ["python", "serve.py"],
            WorkingDirectory = "/",
            User = "u",
            BootId = "b",
            StartedAt = started,
            EndedAt = ended,
            Outcome = ended is null ? null : "exited",
            ModelLabel = model,
            UncleanReason = ended is null ? UncleanReasons.MachineWentDown : null,
        };

    PostmortemInput Input(string? reportPath) =>
        new(
            Panic.AddHours(-72),
            Panic.AddHours(1),
            [
                new PostmortemPanic(
                    Panic,
                    "report",
                    "prepare_count_underflow",
                    "IOGPUMemory.cpp:550 completeMemory() prepare count underflow",
                    reportPath
                ),
            ],
            [
                Run(
                    "7f2a9c0d11",
                    Panic.AddSeconds(-112),
                    null,
                    "mlx-community/gemma-4-31b-it-8bit"
                ),
                Run("0000early", Panic.AddHours(-5), Panic.AddHours(-4), null),
            ],
            [
                new PostmortemCrumb(
                    Panic.AddSeconds(-7),
                    "pre",
                    "mlx-community/gemma-4-31b-it-8bit",
                    4242,
                    "7f2a9c0d11",
                    null
                ),
                new PostmortemCrumb(
                    Panic.AddSeconds(-20),
                    "post",
                    "mlx-community/gemma-4-31b-it-8bit",
                    4242,
                    "7f2a9c0d11",
                    "batch 3"
                ),
                new PostmortemCrumb(Panic.AddHours(-3), "pre", "other-model", 1, null, null),
            ]
        );

    [Fact]
    public void The_timeline_reads_what_was_in_flight_up_to_the_panic_in_time_order()
    {
        var lines = Timeline
            .Around(Input(null).Panics[0], Input(null))
            .Select(e => $"{e.At.ToUniversalTime():HH:mm:ss} {e.Text}")
            .ToList();
        Assert.Equal(
            [
                "12:03:10 run 7f2a9c0d started `python serve.py`, model mlx-community/gemma-4-31b-it-8bit",
                "12:04:42 POST model mlx-community/gemma-4-31b-it-8bit (pid 4242, run 7f2a9c0d): batch 3",
                "12:04:55 PRE model mlx-community/gemma-4-31b-it-8bit (pid 4242, run 7f2a9c0d)",
                "12:05:02 machine down (panic: IOGPUMemory.cpp:550 completeMemory() prepare count underflow)",
            ],
            lines
        );
    }

    [Fact]
    public void The_bundle_holds_the_index_the_ledger_the_runs_the_breadcrumbs_and_a_capped_report_copy()
    {
        var report = Path.Combine(_temp.FullName, "Kernel-2026-11-22-120502.panic");
        var text = File.ReadAllText(
            Paths.Fixture(
                "diagnostics",
                "panic",
                "iogpu-completememory-underflow-550-mlx-lm-1666.head-excerpt.panic.txt"
            )
        );
        File.WriteAllText(report, text + new string('x', PostmortemBundle.ReportCap));
        var dir = Path.Combine(_temp.FullName, "bundle");

        var result = PostmortemBundle.Write(dir, Input(report));

        Assert.Equal(
            [
                "breadcrumbs.json",
                "index.md",
                "ledger.json",
                Path.Combine("reports", Path.GetFileName(report)),
                "runs.json",
            ],
            result.Files
        );
        Assert.Empty(result.Problems);
        var index = File.ReadAllText(Path.Combine(dir, "index.md"));
        Assert.Contains("## 2026-11-22 12:05:02 UTC — prepare_count_underflow (report)", index);
        Assert.Contains(
            "- 12:04:55 PRE model mlx-community/gemma-4-31b-it-8bit (pid 4242, run 7f2a9c0d)",
            index
        );
        Assert.DoesNotContain("0000early", index);
        Assert.DoesNotContain("other-model", index);
        var copy = File.ReadAllText(Path.Combine(dir, "reports", Path.GetFileName(report)));
        Assert.StartsWith("panic(cpu 9 caller", copy);
        Assert.Contains("[rein postmortem: cut at 262144 of", copy);
        Assert.True(
            new FileInfo(Path.Combine(dir, "reports", Path.GetFileName(report))).Length
                < PostmortemBundle.ReportCap + 200
        );
        using var runs = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "runs.json")));
        Assert.Equal("rein.journal/1", runs.RootElement.GetProperty("schema").GetString());
        Assert.Equal(2, runs.RootElement.GetProperty("runs").GetArrayLength());
        using var ledger = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "ledger.json")));
        Assert.Equal(
            "prepare_count_underflow",
            ledger.RootElement[0].GetProperty("signature_class").GetString()
        );
        using var crumbs = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(dir, "breadcrumbs.json"))
        );
        Assert.Equal(3, crumbs.RootElement.GetArrayLength());
    }

    [Fact]
    public void A_report_that_cannot_be_read_is_named_and_the_bundle_is_still_written()
    {
        var dir = Path.Combine(_temp.FullName, "bundle");
        var result = PostmortemBundle.Write(dir, Input(Path.Combine(_temp.FullName, "gone.panic")));
        Assert.Single(result.Problems);
        Assert.Contains("gone.panic", result.Problems[0]);
        Assert.Contains("(not copied)", File.ReadAllText(Path.Combine(dir, "index.md")));
    }

    [Fact]
    public void A_folder_that_is_not_empty_or_is_a_link_is_refused()
    {
        File.WriteAllText(Path.Combine(_temp.FullName, "keep.txt"), "mine");
        Assert.Contains("not empty", PostmortemBundle.Problem(_temp.FullName));
        var link = Path.Combine(_temp.FullName, "link");
        Directory.CreateSymbolicLink(link, Path.GetTempPath());
        Assert.Contains("symbolic link", PostmortemBundle.Problem(link));
        Assert.Null(PostmortemBundle.Problem(Path.Combine(_temp.FullName, "new")));
    }
}
