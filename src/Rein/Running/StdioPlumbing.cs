using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Rein.Platform;
using Rein.Platform.Posix;

namespace Rein.Running;

/// <summary>
/// The command's standard streams as <see cref="RunSpec"/> asks: files and /dev/null opened here (close-on-exec:
/// only the spawn's dup2 gives them to the command), host streams joined to the command through pipes and copied
/// on threads of their own until the command's side closes. One instance serves one run.
/// </summary>
internal sealed class StdioPlumbing : IDisposable
{
    // fcntl.h (Linux; macOS in Darwin, checked against Apple's headers).
    const int O_RDONLY = 0;
    const int O_WRONLY = 1;
    static int O_CREAT => OperatingSystem.IsMacOS() ? Platform.MacOS.Darwin.O_CREAT : 0x40;
    static int O_TRUNC => OperatingSystem.IsMacOS() ? Platform.MacOS.Darwin.O_TRUNC : 0x200;
    static int O_APPEND => OperatingSystem.IsMacOS() ? Platform.MacOS.Darwin.O_APPEND : 0x400;

    static readonly string[] Names = ["standard input", "standard output", "standard error"];

    readonly List<(int Fd, int Target)> _redirects = [];

    /// <summary>Descriptors that are the command's alone once it runs: closed here after the spawn.</summary>
    readonly List<int> _childEnds = [];

    /// <summary>Our ends of the pipes, with the host stream and the direction of the copy.</summary>
    readonly List<(int Fd, Stream Host, bool ToCommand)> _pipes = [];

    readonly List<Task> _outputs = [];
    readonly CancellationTokenSource _cancel = new();

    StdioPlumbing() { }

    /// <summary>(descriptor here, descriptor in the command) for the spawn.</summary>
    public IReadOnlyList<(int, int)> Redirects => _redirects;

    /// <summary>Opens what the spec asks; null (and why) when a file cannot be opened. Nothing is asked: an
    /// instance with no redirects.</summary>
    public static StdioPlumbing? Open(RunSpec spec, out string? problem)
    {
        var plumbing = new StdioPlumbing();
        RunStdio[] wanted = [spec.StandardInput, spec.StandardOutput, spec.StandardError];
        try
        {
            for (var target = 0; target <= 2; target++)
            {
                // `>f 2>&1`: the same file or stream for both outputs is one descriptor, so their bytes interleave
                // in the order written instead of overwriting each other.
                if (target == 2 && Same(wanted[1], wanted[2]) && plumbing.FdFor(1) is { } shared)
                {
                    plumbing._redirects.Add((shared, 2));
                    continue;
                }

                if (plumbing.Add(wanted[target], target) is { } failed)
                {
                    problem = failed;
                    plumbing.Dispose();
                    return null;
                }
            }
        }
        catch
        {
            plumbing.Dispose();
            throw;
        }

        problem = null;
        return plumbing;
    }

    static bool Same(RunStdio a, RunStdio b) =>
        a.Kind == b.Kind
        && a.Kind switch
        {
            RunStdioKind.File => a.Path == b.Path && a.Append == b.Append,
            RunStdioKind.Stream => ReferenceEquals(a.Stream, b.Stream),
            _ => false,
        };

    int? FdFor(int target) =>
        _redirects.Where(r => r.Target == target).Select(r => (int?)r.Fd).FirstOrDefault();

    string? Add(RunStdio stdio, int target)
    {
        switch (stdio.Kind)
        {
            case RunStdioKind.Null:
                return OpenFile("/dev/null", target == 0 ? O_RDONLY : O_WRONLY, target);
            case RunStdioKind.File:
                return OpenFile(
                    stdio.Path!,
                    target == 0
                        ? O_RDONLY
                        : O_WRONLY | O_CREAT | (stdio.Append ? O_APPEND : O_TRUNC),
                    target
                );
            case RunStdioKind.Stream:
                var (read, write) = LibC.CloexecPipe();
                var (ours, theirs) = target == 0 ? (write, read) : (read, write);
                _childEnds.Add(theirs);
                _redirects.Add((theirs, target));
                _pipes.Add((ours, stdio.Stream!, target == 0));
                return null;
            default:
                return null;
        }
    }

    string? OpenFile(string path, int flags, int target)
    {
        var fd = Descriptors.Open(path, flags | LibC.O_CLOEXEC, Convert.ToInt32("666", 8));
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return $"cannot open {path} for the command's {Names[target]}: {Marshal.GetPInvokeErrorMessage(errno)}";
        }

        _childEnds.Add(fd);
        _redirects.Add((fd, target));
        return null;
    }

    /// <summary>After the spawn (started or not): the command's ends are closed here, so its exit is the pipes'
    /// end of file, and the copies begin.</summary>
    public void Started()
    {
        foreach (var fd in _childEnds)
        {
            LibC.close(fd);
        }

        _childEnds.Clear();
        foreach (var (fd, host, toCommand) in _pipes)
        {
            var pipe = new FileStream(
                new SafeFileHandle(fd, ownsHandle: true),
                toCommand ? FileAccess.Write : FileAccess.Read,
                bufferSize: 0
            );
            var copy = Task.Factory.StartNew(
                () => Copy(toCommand ? host : pipe, toCommand ? pipe : host, pipe, _cancel.Token),
                _cancel.Token,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default
            );
            if (!toCommand)
            {
                _outputs.Add(copy);
            }
        }

        _pipes.Clear();
    }

    /// <summary>Copies until the source ends or the destination is gone (the command exited without reading all
    /// of its input: EPIPE); then closes the pipe, which for input is the command's end of file.</summary>
    static void Copy(Stream from, Stream to, FileStream pipe, CancellationToken cancel)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while (!cancel.IsCancellationRequested && (n = from.Read(buffer, 0, buffer.Length)) > 0)
            {
                to.Write(buffer, 0, n);
            }

            to.Flush();
        }
        catch (Exception e)
            when (e is IOException or ObjectDisposedException or NotSupportedException)
        {
            // The command closed its end (EPIPE), the host's stream is closed or cannot be written or read: the
            // copy ends; the run's verdict does not depend on it.
        }
        finally
        {
            pipe.Dispose();
        }
    }

    /// <summary>After the tree is gone: waits up to <paramref name="budget"/> for the output copies to reach the
    /// end of the command's output (nothing of the tree holds a pipe any more, so that is at once); stops copying
    /// input.</summary>
    public void Finish(TimeSpan budget)
    {
        Task.WaitAll([.. _outputs], budget);
        _cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var fd in _childEnds)
        {
            LibC.close(fd);
        }

        foreach (var (fd, _, _) in _pipes)
        {
            LibC.close(fd);
        }

        _childEnds.Clear();
        _pipes.Clear();
        _cancel.Cancel();
    }
}
