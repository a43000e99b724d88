using System.Diagnostics;

namespace Rein.Tests.Support;

/// <summary>Runs the real <c>rein</c> binary as a child of the test, capturing its output.</summary>
internal sealed class ReinProcess : IDisposable
{
    readonly Process _process;
    readonly Task<string> _stdout;
    readonly Task<string> _stderr;
    readonly Stopwatch _clock = Stopwatch.StartNew();

    ReinProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Pid => _process.Id;

    /// <summary>The state directory tests share unless they bring their own (REIN_HOME in env): concurrent tests
    /// writing one journal is itself a useful stress.</summary>
    static readonly string SharedHome = Directory
        .CreateTempSubdirectory("rein-test-home-")
        .FullName;

    /// <param name="args">rein's arguments.</param>
    /// <param name="env">Extra environment (null values remove a variable).</param>
    /// <param name="workingDirectory">Where rein starts.</param>
    /// <param name="wrapper">A program (and its arguments) that execs rein, e.g. <c>env --default-signal=PIPE</c>.</param>
    public static ReinProcess Start(
        IEnumerable<string> args,
        IDictionary<string, string?>? env = null,
        string? workingDirectory = null,
        IReadOnlyList<string>? wrapper = null,
        string? umask = null
    )
    {
        // With a umask, rein starts through `sh -c 'umask M; exec rein ...'`: same pid, the mask rein inherits.
        if (umask is not null)
        {
            wrapper = ["/bin/sh", "-c", $"umask {umask} && exec \"$0\" \"$@\""];
        }

        var psi = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : Paths.Rein)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (
            var a in wrapper is { Count: > 0 } ? [.. wrapper.Skip(1), Paths.Rein, .. args] : args
        )
        {
            psi.ArgumentList.Add(a);
        }

        // Keep the tests hermetic: no user config, a private state dir, no colour.
        psi.Environment["REIN_CONFIG"] = "/nonexistent/rein.toml";
        psi.Environment["REIN_HOME"] = SharedHome;
        psi.Environment["NO_COLOR"] = "1";
        foreach (
            var key in psi
                .Environment.Keys.Where(k =>
                    k.StartsWith("REIN_", StringComparison.Ordinal) && k != "REIN_CONFIG"
                )
                .ToList()
        )
        {
            psi.Environment.Remove(key);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }

        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return new ReinProcess(p);
    }

    /// <summary>Runs to completion (bounded) and returns exit code and output.</summary>
    public static RunResult Run(
        IEnumerable<string> args,
        IDictionary<string, string?>? env = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null,
        IReadOnlyList<string>? wrapper = null,
        string? umask = null
    )
    {
        using var p = Start(args, env, workingDirectory, wrapper, umask);
        return p.Wait(timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits for rein itself to exit, without waiting for its output pipes to close.</summary>
    public (int ExitCode, TimeSpan Elapsed) WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill();
            throw new TimeoutException($"rein did not exit within {timeout}");
        }

        _exitElapsed ??= _clock.Elapsed;
        return (_process.ExitCode, _exitElapsed.Value);
    }

    TimeSpan? _exitElapsed;

    public RunResult Wait(TimeSpan timeout)
    {
        var (_, elapsed) = WaitForExit(timeout);
        // A surviving descendant would hold the pipes open; don't let that hang the test (the survivor check fails it).
        var stdout = _stdout.Wait(TimeSpan.FromSeconds(5)) ? _stdout.Result : "<stdout still open>";
        var stderr = _stderr.Wait(TimeSpan.FromSeconds(5)) ? _stderr.Result : "<stderr still open>";
        return new RunResult(_process.ExitCode, stdout, stderr, elapsed);
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

internal sealed record RunResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);
