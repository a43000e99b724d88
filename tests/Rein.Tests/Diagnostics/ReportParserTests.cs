using Rein.Diagnostics.Parsers;
using Rein.Tests.Support;

namespace Rein.Tests.Diagnostics;

/// <summary>Panic, crash, kernel-log, coredump and docker parsers over real captured reports.</summary>
public sealed class ReportParserTests
{
    static string Fixture(params string[] parts) =>
        File.ReadAllText(Paths.Fixture(["diagnostics", .. parts]));

    [Fact]
    public void IOGPU_panic_signature_is_file_line_and_message()
    {
        var p = PanicReportParser.Parse(
            Fixture(
                "panic",
                "iogpu-completememory-underflow-550-mlx-lm-1666.head-excerpt.panic.txt"
            ),
            out var error
        )!;
        Assert.Null(error);
        Assert.Equal("IOGPUMemory.cpp:550 completeMemory() prepare count underflow", p.Signature);
    }

    [Fact]
    public void Bug_type_210_json_panic_has_time_and_signature()
    {
        var p = PanicReportParser.Parse(
            Fixture("panic", "macos10.15-nvme-timeout-bugtype210.panic"),
            out _
        )!;
        Assert.StartsWith("IONVMeController.cpp:6090 nvme:", p.Signature);
        Assert.Equal(
            new DateTimeOffset(2023, 9, 8, 20, 40, 16, 840, TimeSpan.FromHours(-7)),
            p.Time
        );
    }

    [Fact]
    public void Panic_without_a_source_location_keeps_the_message_without_addresses()
    {
        var p = PanicReportParser.Parse(
            Fixture("panic", "macos13.5-endpointsecurity-data-abort.panic.txt"),
            out _
        )!;
        Assert.Equal("Kernel data abort", p.Signature);
    }

    [Theory]
    [InlineData("", "no panic string")]
    [InlineData("{\"bug_type\":\"210\"}\n{not json", "not valid panic JSON")]
    public void Broken_panic_reports_say_why(string text, string expected)
    {
        Assert.Null(PanicReportParser.Parse(text, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Python_crash_names_the_native_extension_and_its_mitigation()
    {
        var c = IpsCrashParser.Parse(
            Fixture("ips", "python3.13-duckdb-exc-bad-access.ips"),
            out _
        )!;
        Assert.Equal("Python", c.Process);
        Assert.Equal("EXC_BAD_ACCESS", c.ExceptionType);
        Assert.Equal("KERN_INVALID_ADDRESS at 0x00000000000000a7", c.ExceptionSubtype);
        Assert.Equal("uv", c.ParentProcess);
        Assert.Equal("iTerm2", c.ResponsibleProcess);
        Assert.Equal("duckdb.cpython-313-darwin.so", c.CulpritImage);
        Assert.Equal("duckdb", CulpritTable.Lookup(c.CulpritImage, c.CulpritSymbol)!.Value.Package);
    }

    [Fact]
    public void Crash_on_another_thread_reads_the_faulting_thread()
    {
        var c = IpsCrashParser.Parse(
            Fixture("ips", "osaurus-mlx-metal-exc-bad-access-thread2.ips"),
            out _
        )!;
        Assert.Equal("osaurus", c.Process);
        Assert.Equal("osaurus", c.CulpritImage); // MLX is linked into the app itself…
        Assert.Equal("mlx", CulpritTable.Lookup(c)!.Value.Package); // …but its frames name it
    }

    [Fact]
    public void Truncated_crash_report_is_an_error_not_an_exception()
    {
        var text = Fixture("ips", "python3.13-duckdb-exc-bad-access.ips");
        Assert.Null(IpsCrashParser.Parse(text[..(text.Length / 2)], out var error));
        Assert.Contains("not valid crash-report JSON", error);
        Assert.Null(IpsCrashParser.Parse("{}", out error));
        Assert.Contains("truncated", error);
    }

    [Fact]
    public void Every_captured_crash_report_parses()
    {
        foreach (var f in Directory.GetFiles(Paths.Fixture("diagnostics", "ips")))
        {
            Assert.True(
                IpsCrashParser.Parse(File.ReadAllText(f), out var error) is not null,
                $"{Path.GetFileName(f)}: {error}"
            );
        }
    }

    [Fact]
    public void Kernel_log_segfaults_and_oom_kills()
    {
        var seg = LinuxLogParsers.ParseSegfaults(
            Fixture("linux-kernel-log", "syzkaller-segfault-lines-with-code.txt")
        );
        Assert.NotEmpty(seg);
        Assert.Equal("syz-executor846", seg[0].Command);
        Assert.Equal(10579, seg[0].Pid);
        Assert.Equal("syz-executor846382544", seg[0].Library);
        Assert.Null(seg[1].Library);
        var oom = LinuxLogParsers.ParseOomKills(
            Fixture("linux-kernel-log", "python-oom-kill-dmesg-excerpt.txt")
        );
        Assert.Equal([(3352, "python")], oom);
    }

    [Fact]
    public void Coredumpctl_list_rows()
    {
        var rows = LinuxLogParsers.ParseCoredumpctlList(
            Fixture("coredumpctl", "fedora-python3.9-coredumpctl-list.txt")
        );
        var row = Assert.Single(rows);
        Assert.Equal(37144, row.Pid);
        Assert.Equal(5, row.Signal);
        Assert.Equal("/usr/bin/python3.9", row.Executable);
    }

    [Fact]
    public void Docker_inspect_array_and_api_object_and_stats()
    {
        var limited = Assert.Single(
            DockerParsers.ParseInspect(
                Fixture("docker", "docker-inspect-nginx-memory-2g-limit.json")
            )
        );
        Assert.Equal(("webserver", 2147483648L), (limited.Name, limited.MemoryLimit));
        var unlimited = Assert.Single(
            DockerParsers.ParseInspect(
                Fixture("docker", "docker-api-inspect-watchtower-running-memory-0.json")
            )
        );
        Assert.Equal(0, unlimited.MemoryLimit);
        Assert.True(unlimited.Running);
        var stats = Assert.Single(
            DockerParsers.ParseStats(Fixture("docker", "docker-docs-stats-no-stream-json.txt"))
        );
        Assert.Equal("2.352MiB / 982.5MiB", stats.MemUsage);
    }
}
