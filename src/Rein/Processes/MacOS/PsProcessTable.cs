using System.Diagnostics;

namespace Rein.Processes.MacOS;

/// <summary>The macOS process table, read through <c>ps</c> (thin exec; parsing is in <see cref="PsOutputParser"/>).
/// macOS does not expose another process's environment to ps reliably, so the run marker cannot be read
/// here: tree tracking relies on the session, process group and parent links instead.</summary>
public sealed class PsProcessTable : IProcessTable
{
    public IReadOnlyList<ProcessInfo> Snapshot() =>
        PsOutputParser.Parse(Run(PsOutputParser.Arguments));

    public ProcessInfo? Read(int pid) =>
        PsOutputParser
            .Parse(
                Run(
                    PsOutputParser.Arguments.Replace(
                        "-axo",
                        $"-p {pid} -o",
                        StringComparison.Ordinal
                    )
                )
            )
            .FirstOrDefault(p => p.Pid == pid);

    public string? ReadEnvironmentVariable(int pid, string variable) => null;

    public string CommandLine(int pid) => Run($"-p {pid} -o command=").Trim();

    static string Run(string arguments)
    {
        var psi = new ProcessStartInfo("/bin/ps", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit(5000);
        return output;
    }
}
