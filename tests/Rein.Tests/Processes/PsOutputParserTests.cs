using Rein.Processes.MacOS;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

public sealed class PsOutputParserTests
{
    [Fact]
    public void Lstart_format_rows_parse_with_five_word_start_times()
    {
        var rows = PsOutputParser.Parse(
            File.ReadAllText(Paths.Fixture("linux", "procps-axo-lstart.txt"))
        );
        Assert.Equal(8, rows.Count);
        var init = rows[0];
        Assert.Equal(1, init.Pid);
        Assert.Equal('S', init.State);
        Assert.Equal(9144L * 1024, init.RssBytes);
        Assert.Equal("process_api", init.Command);
        Assert.Equal(new DateTime(2026, 11, 22, 17, 41, 39).Ticks, (long)init.StartTime);
        Assert.Equal("kworker/R-kvfree_rcu_reclaim", rows[5].Command);
    }

    [Fact]
    public void Short_lines_are_skipped() =>
        Assert.Empty(PsOutputParser.Parse("  PID\n\n1 0 0 S\n"));
}
