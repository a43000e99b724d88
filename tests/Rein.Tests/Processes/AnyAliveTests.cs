using Rein.Processes;

namespace Rein.Tests.Processes;

/// <summary>At the end of a grace, teardown asks only whether any member outlived it (issue 21, target 5): the
/// answer stops at the first live member, so the SIGKILL is not held back by a read of every member (a tree of 200
/// cost 12-35 ms of delay before it; BENCHMARKS.md).</summary>
public sealed class AnyAliveTests
{
    const int Shim = 1000;
    const int Root = 1001;

    /// <summary>A process table of a shim, its command (own session) and the command's children, counting reads.</summary>
    sealed class Table(Dictionary<int, ProcessInfo> processes) : IProcessTable
    {
        public int Reads;

        public IReadOnlyList<ProcessInfo> Snapshot() => [.. processes.Values];

        public ProcessInfo? Read(int pid)
        {
            Reads++;
            return processes.GetValueOrDefault(pid);
        }

        public string? ReadEnvironmentVariable(int pid, string variable) => null;

        public string CommandLine(int pid) => "";

        public IReadOnlyList<int>? Children(int pid) =>
            [.. processes.Values.Where(p => p.ParentPid == pid).Select(p => p.Pid)];

        public IReadOnlyList<int>? GroupMembers(int pgid) =>
            [.. processes.Values.Where(p => p.ProcessGroup == pgid).Select(p => p.Pid)];
    }

    static Dictionary<int, ProcessInfo> Tree(int members, Func<int, char> state)
    {
        var all = new Dictionary<int, ProcessInfo>
        {
            [Shim] = new(Shim, 1, Shim, Shim, 'S', 1, 0, "shim"),
            [Root] = new(Root, Shim, Root, Root, state(Root), 2, 0, "cmd"),
        };
        for (var pid = Root + 1; pid <= Root + members; pid++)
        {
            all[pid] = new(pid, Root, Root, Root, state(pid), 3, 0, "member");
        }

        return all;
    }

    static RunTree RunTreeOver(Table table) =>
        new(table, Shim, Root, ownSession: true, "r-any", notBefore: 0, shimAdopts: true);

    [Fact]
    public void With_200_live_members_it_reads_one_or_two_not_all()
    {
        var table = new Table(Tree(200, _ => 'S'));
        var tree = RunTreeOver(table);

        Assert.True(tree.AnyAlive());
        Assert.InRange(table.Reads, 1, 2);

        table.Reads = 0;
        Assert.Equal(201, tree.Collect(scanMarker: false).Count); // the full walk the answer no longer needs
        Assert.True(table.Reads >= 200, $"{table.Reads} reads");
    }

    [Fact]
    public void A_last_live_member_under_a_dead_command_is_found()
    {
        var last = Root + 150;
        var tree = RunTreeOver(new Table(Tree(150, pid => pid == last ? 'R' : 'Z')));

        Assert.True(tree.AnyAlive());
    }

    [Fact]
    public void Zombies_alone_are_not_alive()
    {
        var tree = RunTreeOver(new Table(Tree(150, _ => 'Z')));

        Assert.False(tree.AnyAlive());
    }
}
