namespace Rein.Tests.Support;

/// <summary>A real unkillable process for tests: the cgroup v1 freezer. A frozen task sits in D and survives
/// SIGKILL until thawed. Needs root and a writable freezer hierarchy (the Linux CI machines have both).</summary>
internal sealed class Freezer : IDisposable
{
    const string Root = "/sys/fs/cgroup/freezer";
    readonly string _dir;

    public Freezer()
    {
        _dir = Path.Combine(Root, "rein-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
    }

    public const string SkipReason =
        "needs root and a writable cgroup v1 freezer (Linux CI machine)";

    public static bool Available
    {
        get
        {
            if (!OperatingSystem.IsLinux() || !File.Exists(Path.Combine(Root, "cgroup.procs")))
            {
                return false;
            }

            try
            {
                var probe = Path.Combine(Root, "rein-probe-" + Environment.ProcessId);
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

    public void Freeze(int pid)
    {
        File.WriteAllText(Path.Combine(_dir, "cgroup.procs"), pid.ToString());
        File.WriteAllText(Path.Combine(_dir, "freezer.state"), "FROZEN");
        ProcessProbe.WaitUntil(
            () => File.ReadAllText(Path.Combine(_dir, "freezer.state")).Trim() == "FROZEN",
            TimeSpan.FromSeconds(3)
        );
    }

    public void Thaw() => File.WriteAllText(Path.Combine(_dir, "freezer.state"), "THAWED");

    public void Dispose()
    {
        Thaw();
        ProcessProbe.WaitUntil(
            () => File.ReadAllText(Path.Combine(_dir, "cgroup.procs")).Trim().Length == 0,
            TimeSpan.FromSeconds(3)
        );
        try
        {
            Directory.Delete(_dir);
        }
        catch (IOException) { }
    }
}
