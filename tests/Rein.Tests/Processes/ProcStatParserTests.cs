using Rein.Processes.Linux;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

public sealed class ProcStatParserTests
{
    [Fact]
    public void Command_name_with_spaces_and_parentheses_is_parsed_from_the_last_paren()
    {
        var p = ProcStatParser.Parse(
            File.ReadAllText(Paths.Fixture("linux", "proc-stat-comm-with-parens.txt")),
            4096
        )!;
        Assert.Equal(3474, p.Pid);
        Assert.Equal("we (ird) na) me", p.Command);
        Assert.Equal('S', p.State);
        Assert.Equal(1, p.ParentPid);
        Assert.Equal(3469, p.ProcessGroup);
        Assert.Equal(1056, p.Session);
        Assert.Equal(519556UL, p.StartTime);
        Assert.Equal(420L * 4096, p.MemoryBytes);
    }

    [Fact]
    public void Truncated_or_garbage_input_is_rejected_not_thrown()
    {
        Assert.Null(ProcStatParser.Parse("", 4096));
        Assert.Null(ProcStatParser.Parse("12 (x) S 1 2", 4096));
        Assert.Null(
            ProcStatParser.Parse(
                "abc (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22",
                4096
            )
        );
    }

    [Fact]
    public void Own_process_reads_back_from_the_live_table()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc");
        var me = new ProcfsProcessTable().Read(Environment.ProcessId)!;
        Assert.Equal(Environment.ProcessId, me.Pid);
        Assert.True(me.MemoryBytes > 0);
        Assert.True(me.StartTime > 0);
    }

    [Fact]
    public void Environment_variables_are_found_in_a_nul_separated_block()
    {
        var block = "A=1\0REIN_RUN_ID=abc\0REIN_RUN_ID_X=no\0"u8.ToArray();
        Assert.Equal("abc", ProcfsProcessTable.FindVariable(block, "REIN_RUN_ID"));
        Assert.Null(ProcfsProcessTable.FindVariable(block, "REIN"));
        Assert.Null(ProcfsProcessTable.FindVariable("A=1"u8, "B"));
    }
}
