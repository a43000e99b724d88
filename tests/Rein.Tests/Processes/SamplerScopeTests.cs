using System.Collections.Concurrent;
using System.Diagnostics;
using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Running;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

/// <summary>G9: a guard costs O(its run). While it watches, the sampler reads only what the run owns (the shim's
/// children and their descendants, through the kernel's parent links), never the entry of a process outside the
/// run, and never the whole table (issue 21, item 1).</summary>
[Collection("Latency")]
public sealed class SamplerScopeTests : RunTestBase
{
    /// <summary>The real table, recording which pids are asked about.</summary>
    sealed class RecordingTable(IProcessTable inner) : IProcessTable
    {
        public readonly ConcurrentDictionary<int, int> Pids = new();
        public int Snapshots;

        void Note(int pid) => Pids.AddOrUpdate(pid, 1, (_, n) => n + 1);

        public IReadOnlyList<ProcessInfo> Snapshot()
        {
            Interlocked.Increment(ref Snapshots);
            return inner.Snapshot();
        }

        public ProcessInfo? Read(int pid)
        {
            Note(pid);
            return inner.Read(pid);
        }

        public string? ReadEnvironmentVariable(int pid, string variable)
        {
            Note(pid);
            return inner.ReadEnvironmentVariable(pid, variable);
        }

        public string CommandLine(int pid)
        {
            Note(pid);
            return inner.CommandLine(pid);
        }

        public IReadOnlyList<int>? Children(int pid)
        {
            Note(pid);
            return inner.Children(pid);
        }

        public IReadOnlyList<int>? GroupMembers(int pgid)
        {
            Note(pgid);
            return inner.GroupMembers(pgid);
        }
    }

    [Fact]
    public void The_sampler_reads_no_process_outside_the_run()
    {
        Requires.Subreaper();
        var bystanderMarker = TestMarker.New("bystander");
        var bystanders = Enumerable
            .Range(0, 20)
            .Select(_ => Process.Start(Paths.Helper, [bystanderMarker, "hang"]))
            .ToList();
        try
        {
            var table = new RecordingTable(new ProcfsProcessTable());
            using var guard = new Guard(
                new RunSpec
                {
                    // Members come and go while it runs (a fan that exits before the command), so samples see a
                    // changing tree; nothing is left at the end, so no teardown sweep follows.
                    Command =
                    [
                        Paths.Helper,
                        Marker,
                        "pidfile",
                        PidFile,
                        "fan",
                        "3",
                        "[",
                        "pidfile",
                        PidFile,
                        "bg",
                        "[",
                        "pidfile",
                        PidFile,
                        "sleep",
                        "0.6",
                        "]",
                        "sleep",
                        "0.8",
                        "]",
                        "sleep",
                        "1.2",
                        "wait",
                        "exit",
                        "0",
                    ],
                    SampleInterval = TimeSpan.FromMilliseconds(20),
                },
                table: table
            );
            var verdict = guard.Run();
            guard.Disarm();
            Assert.Equal(0, verdict.ExitCode);

            var members = File.ReadAllLines(PidFile).Select(int.Parse).ToHashSet();
            Assert.Equal(7, members.Count);
            Assert.Equal(0, table.Snapshots);
            foreach (var b in bystanders)
            {
                Assert.False(table.Pids.ContainsKey(b.Id), $"the sampler read bystander {b.Id}");
            }
            var outside = table
                .Pids.Keys.Where(pid => !members.Contains(pid) && pid != Environment.ProcessId)
                .ToList();
            // The shim is the one process of the run that is not a member (its children are read).
            Assert.True(
                outside.Count <= 1,
                $"the sampler read processes outside the run: {string.Join(", ", outside)}"
            );
            Assert.True(
                members.All(table.Pids.ContainsKey),
                "the sampler did not see every member"
            );
        }
        finally
        {
            foreach (var b in bystanders)
            {
                b.Kill();
                b.Dispose();
            }
        }
    }
}
