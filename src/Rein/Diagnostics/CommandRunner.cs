using System.Diagnostics;

namespace Rein.Diagnostics;

/// <summary>The result of running an external tool (docker, mdutil, sysctl ...).</summary>
public sealed record ToolOutput(bool Found, bool TimedOut, int ExitCode, string Stdout)
{
    public bool Ok => Found && !TimedOut && ExitCode == 0;
}

/// <summary>Runs external tools with a hard timeout, so a hung docker daemon can never hang the doctor.</summary>
public interface ICommandRunner
{
    ToolOutput Run(string program, IReadOnlyList<string> args, TimeSpan timeout);
}

public sealed class CommandRunner : ICommandRunner
{
    public ToolOutput Run(string program, IReadOnlyList<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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
            var stdout = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
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
            );
        }
    }
}
