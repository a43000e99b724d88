using System.Diagnostics;
using Rein.Tests.Support;

namespace Rein.Tests.Containers;

/// <summary>A container image made here, from local files only (no registry is reachable): a static busybox for
/// the shell and its applets, rein and the C test helper with the shared libraries they load, no /etc at all (no
/// password database, as in a distroless or <c>FROM scratch</c> image). Built once per test class with
/// <c>docker import</c>, removed at the end. <see cref="Why"/> says why not, where Docker is not usable.</summary>
public sealed class DockerImage : IDisposable
{
    public DockerImage()
    {
        var required = Environment.GetEnvironmentVariable("REIN_REQUIRE_DOCKER") == "1";
        if (Docker(TimeSpan.FromSeconds(20), "info", "--format", "{{.ServerVersion}}").Exit != 0)
        {
            Why =
                "needs a running dockerd (Debian: apt-get install docker.io; .ci/run starts one on a private socket)";
            Assert.False(required, Why);
            return;
        }

        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists);
        if (busybox is null)
        {
            Why = "needs busybox for the image's shell (Debian: apt-get install busybox-static)";
            Assert.False(required, Why);
            return;
        }

        var root = Directory.CreateTempSubdirectory("rein-image-").FullName;
        try
        {
            foreach (var dir in new[] { "bin", "tmp", "proc", "sys", "dev" })
            {
                Directory.CreateDirectory(Path.Combine(root, dir));
            }

            File.SetUnixFileMode(
                Path.Combine(root, "tmp"),
                (UnixFileMode)Convert.ToInt32("1777", 8)
            );
            AddBinary(root, busybox, "/bin/busybox");
            foreach (var applet in new[] { "sh", "sleep", "cat", "grep", "wc", "echo" })
            {
                File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
            }

            AddBinary(root, Paths.Rein, "/bin/rein");
            AddBinary(root, Paths.Helper, "/bin/rein-testhelper");

            Tag = "rein-test/entry:" + TestMarker.New("img").ToLowerInvariant().Replace('_', '-');
            var import = Shell($"tar -C '{root}' -c . | docker import - '{Tag}'");
            Assert.True(import.Exit == 0, $"docker import failed: {import.Output}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Why the tests cannot run here; null when they can.</summary>
    public string? Why { get; }

    public string Tag { get; } = "";

    /// <summary>Copies a binary and every shared library <c>ldd</c> names (none for a static one) into the image.</summary>
    static void AddBinary(string root, string source, string target)
    {
        Copy(source, root + target);
        var ldd = Exec("ldd", [source], TimeSpan.FromSeconds(10));
        foreach (
            var word in ldd.Output.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)
        )
        {
            if (word.StartsWith('/') && File.Exists(word))
            {
                Copy(word, root + word);
            }
        }
    }

    static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
    }

    /// <summary>docker ARGS, bounded; the output is stdout then stderr.</summary>
    public static (int Exit, string Output) Docker(TimeSpan timeout, params string[] args) =>
        Exec("docker", args, timeout);

    static (int Exit, string Output) Exec(string program, string[] args, TimeSpan timeout)
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

        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"{program} did not finish within {timeout}");
            }

            return (p.ExitCode, output.GetAwaiter().GetResult() + err.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }

    static (int Exit, string Output) Shell(string script) =>
        Exec("sh", ["-c", script], TimeSpan.FromMinutes(2));

    public void Dispose()
    {
        if (Why is null && Tag.Length > 0)
        {
            Docker(TimeSpan.FromSeconds(30), "rmi", "-f", Tag);
        }
    }
}
