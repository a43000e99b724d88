using System.Diagnostics;

namespace Rein.Tests.Support;

/// <summary>Named pipes planted where Rein expects a regular file.</summary>
internal static class Fifo
{
    /// <summary>mkfifo PATH; returns its exit code.</summary>
    public static int Make(string path)
    {
        using var mk = Process.Start("mkfifo", [path]);
        mk.WaitForExit();
        return mk.ExitCode;
    }
}
