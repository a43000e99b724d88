using System.Diagnostics;

namespace Rein.Diagnostics;

/// <summary>The result of running an external tool (docker, mdutil, sysctl ...).</summary>
public sealed record ToolOutput(bool Found, bool TimedOut, int ExitCode, string Stdout)
{
    /// <summary>What it wrote to stderr (both streams are read as they come, so a chatty tool never blocks).</summary>
    public string Stderr { get; init; } = "";

    public bool Ok => Found && !TimedOut && ExitCode == 0;
}

/// <summary>Runs external tools with a hard timeout, so a hung docker daemon can never hang the doctor: both
/// streams are read asynchronously, the wait is bounded, and on timeout the tool's process tree is killed.
/// Every child process Rein starts outside a guarded run goes through it (doctor's tools, git for hooks, the
/// interpreter of <c>rein cache check --python</c>, tmutil).</summary>
public interface ICommandRunner
{
    ToolOutput Run(string program, IReadOnlyList<string> args, TimeSpan timeout);
}

public sealed class CommandRunner : ICommandRunner
{
    /// <summary>The shared instance (it holds no state).</summary>
    public static readonly CommandRunner Instance = new();

    public ToolOutput Run(string program, IReadOnlyList<string> args, TimeSpan timeout) =>
        Run(program, args, timeout, null);

    /// <param name="program">The tool (looked up on PATH when it has no slash).</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="timeout">Past it, the tool's tree is killed and the result says TimedOut.</param>
    /// <param name="workingDirectory">Where it runs (null: here).</param>
    public ToolOutput Run(
        string program,
        IReadOnlyList<string> args,
        TimeSpan timeout,
        string? workingDirectory
    )
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            psi.WorkingDirectory = workingDirectory;
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ToolOutput(false, false, 127, "");
        }

        using (p)
        {
            p.StandardInput.Close(); // a tool that reads stdin sees its end, never the terminal
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                try
                {
                    p.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException) { }

                return new ToolOutput(true, true, -1, "");
            }

            return new ToolOutput(
                true,
                false,
                p.ExitCode,
                stdout.Wait(TimeSpan.FromSeconds(1)) ? stdout.Result : ""
            )
            {
                Stderr = stderr.Wait(TimeSpan.FromSeconds(1)) ? stderr.Result : "",
            };
        }
    }
}
