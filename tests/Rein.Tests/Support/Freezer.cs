namespace Rein.Tests.Support;

/// <summary>A cgroup v1 freezer group: a frozen task sits in uninterruptible wait (D) and ignores SIGKILL until
/// thawed, which is how the tests make a real "stuck" process. Needs root and a writable freezer hierarchy.</summary>
internal sealed class Freezer : IDisposable
{
    const string Root = "/sys/fs/cgroup/freezer";

    Freezer(string path) => Path = path;

    public string Path { get; }

    public const string Unavailable =
        "needs root and a writable cgroup v1 freezer (Linux CI machine)";

    public static bool Available
    {
        get
        {
            if (
                !OperatingSystem.IsLinux()
                || !File.Exists(System.IO.Path.Combine(Root, "cgroup.procs"))
            )
            {
                return false;
            }

            try
            {
                var probe = System.IO.Path.Combine(Root, "rein-probe-" + Environment.ProcessId);
                Directory.CreateDirectory(probe);
                Directory.Delete(probe);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }

    public static Freezer Create()
    {
        var path = System.IO.Path.Combine(Root, "rein-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return new Freezer(path);
    }

    /// <summary>Moves the whole process (every thread) into the group.</summary>
    public void Add(int pid) =>
        File.WriteAllText(System.IO.Path.Combine(Path, "cgroup.procs"), pid.ToString());

    /// <summary>Freezes the group and waits until <paramref name="pid"/> shows D.</summary>
    public void Freeze(int pid)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, "freezer.state"), "FROZEN");
        Assert.True(
            ProcessProbe.WaitUntil(
                () =>
                    new Rein.Processes.Linux.ProcfsProcessTable().Read(pid)?.IsUninterruptible
                    == true,
                TimeSpan.FromSeconds(3)
            ),
            $"pid {pid} did not enter D when frozen"
        );
    }

    public void Thaw() =>
        File.WriteAllText(System.IO.Path.Combine(Path, "freezer.state"), "THAWED");

    /// <summary>Thaws after <paramref name="delay"/>, on another thread (join it before asserting).</summary>
    public Thread ThawAfter(TimeSpan delay)
    {
        var thread = new Thread(() =>
        {
            Thread.Sleep(delay);
            Thaw();
        });
        thread.Start();
        return thread;
    }

    /// <summary>Thaws and removes the group once its tasks are gone (the caller kills them).</summary>
    public void Dispose()
    {
        Thaw();
        ProcessProbe.WaitUntil(
            () => File.ReadAllText(System.IO.Path.Combine(Path, "cgroup.procs")).Trim().Length == 0,
            TimeSpan.FromSeconds(3)
        );
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException) { }
    }
}
