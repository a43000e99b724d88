using Rein.Platform.MacOS;
using Rein.Tests.Support;

namespace Rein.Tests.Diagnostics;

/// <summary>macOS readings, parsed from real captured output (tests/fixtures/macos, sources in SOURCES-real.md).</summary>
public sealed class MacOSParserTests
{
    static string Fixture(string dir, string name) =>
        File.ReadAllText(Paths.Fixture("macos", dir, name));

    [Fact]
    public void Memory_pressure_free_percentage_and_swap_traffic()
    {
        var r = MacMemoryParsers.ParseMemoryPressure(
            Fixture("memory_pressure", "openclaw-mini2-macmini-32g-86pct.txt")
        )!;
        Assert.Equal(86, r.FreePercent);
        Assert.Equal(153447, r.CompressorPages);
        Assert.Equal(16384, r.PageSize);
        var swapping = MacMemoryParsers.ParseMemoryPressure(
            Fixture("memory_pressure", "openclaw-mini2-macmini-32g-88pct-swapins.txt")
        )!;
        Assert.Equal(88, swapping.FreePercent);
        Assert.Equal(7, swapping.Swapins);
        Assert.Equal(16, swapping.Swapouts);
        Assert.Null(MacMemoryParsers.ParseMemoryPressure("garbage"));
    }

    [Fact]
    public void Sysctl_swapusage_and_memorystatus_level()
    {
        var values = MacMemoryParsers.ParseSysctl(
            Fixture("sysctl", "ansible-macos-sysctl-vm-partial-swapusage.txt")
        );
        var swap = MacMemoryParsers.ParseSwapUsage(values["vm.swapusage"])!;
        Assert.Equal(2048L << 20, swap.Total);
        Assert.Equal((long)(1017.5 * 1024 * 1024), swap.Used);
        var m1 = MacMemoryParsers.ParseSysctl(
            Fixture("sysctl", "ansible-m1pro-macos14.4.1-sysctl-hw-machdep-kern.txt")
        );
        Assert.True(m1.ContainsKey("hw.memsize"));
    }

    [Fact]
    public void Vm_stat_pages_and_page_size()
    {
        var (size, pages) = MacMemoryParsers.ParseVmStat(
            Fixture("vm_stat", "ansible-m1pro-macos14.4.1.txt")
        );
        Assert.Equal(16384, size);
        Assert.Equal(6472, pages["Pages free"]);
        Assert.Equal(424276, pages["Pages occupied by compressor"]);
        Assert.Equal(2500287752, pages["Translation faults"]);
        var (intel, _) = MacMemoryParsers.ParseVmStat(
            Fixture("vm_stat", "libphutil-osx-yosemite-intel-4k-pages.txt")
        );
        Assert.Equal(4096, intel);
    }

    [Fact]
    public void Mdutil_volumes_and_indexing_state()
    {
        var all = Rein.Diagnostics.Parsers.MdutilParser.Parse(
            Fixture("mdutil", "macos-2024-mdutil-as-all-enabled.txt")
        );
        Assert.Equal(3, all.Count);
        Assert.All(all, v => Assert.True(v.Enabled));
        var off = Rein.Diagnostics.Parsers.MdutilParser.Parse(
            Fixture("mdutil", "macos-2024-mdutil-i-off-disabled.txt")
        );
        Assert.Equal([("/System/Volumes/Data", (bool?)false)], off);
    }
}
