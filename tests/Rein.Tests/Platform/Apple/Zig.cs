using System.Diagnostics;

namespace Rein.Tests.Platform.Apple;

/// <summary>
/// Zig's C compiler (tools/zig, pinned; installed by tools/zig/install.sh, which test.sh runs): it carries Apple's
/// macOS headers and links Mach-O, so the macOS side of rein is compiled here on Linux. <c>REIN_ZIG</c> names
/// another zig 0.11. Its caches live in tools/zig/cache (git-ignored) so repeated runs are fast.
/// </summary>
internal static class Zig
{
    public static readonly string[] Targets = ["aarch64-macos", "x86_64-macos"];

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Zig from npm is its Linux x86_64 build: elsewhere (a Mac) these checks skip.</summary>
    public static bool Supported =>
        OperatingSystem.IsLinux()
        && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture
            == System.Runtime.InteropServices.Architecture.X64;

    public static string Executable
    {
        get
        {
            Assert.SkipUnless(
                Supported,
                "Zig from npm is the Linux x86_64 build; on a Mac the macOS CI job builds and runs the real thing"
            );
            var zig = Environment.GetEnvironmentVariable("REIN_ZIG") is { Length: > 0 } z
                ? z
                : Path.Combine(
                    RepoRoot,
                    "tools",
                    "zig",
                    "node_modules",
                    "@ryoppippi",
                    "zig-linux-x64",
                    "zig"
                );
            Assert.True(
                File.Exists(zig),
                $"zig is not installed at {zig}: run tools/zig/install.sh (./test.sh does)"
            );
            return zig;
        }
    }

    /// <summary>Apple's headers as Zig ships them (every macOS version and architecture it knows).</summary>
    public static IEnumerable<string> AppleIncludeDirectories()
    {
        var include = Path.Combine(Path.GetDirectoryName(Executable)!, "lib", "libc", "include");
        return Directory
            .GetDirectories(include)
            .Where(d => Path.GetFileName(d).Contains("macos", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Flags every compile for <paramref name="target"/> gets: on x86_64, the plain stat/fstat/lstat symbols
    /// rein's P/Invokes bind have the old struct stat, which _DARWIN_NO_64_BIT_INODE selects in the header.</summary>
    public static string[] TargetFlags(string target) =>
        target.StartsWith("x86_64", StringComparison.Ordinal)
            ? ["-target", target, "-D_DARWIN_NO_64_BIT_INODE"]
            : ["-target", target];

    /// <summary>Runs <c>zig cc</c>; the exit code and everything it printed.</summary>
    public static (int Exit, string Output) Cc(params string[] args)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("cc");
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        var cache = Path.Combine(RepoRoot, "tools", "zig", "cache");
        start.Environment["ZIG_GLOBAL_CACHE_DIR"] = cache;
        start.Environment["ZIG_LOCAL_CACHE_DIR"] = cache;
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill();
            return (-1, "zig cc timed out\n" + stdout + stderr.Result);
        }

        return (p.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Compiles C source text to an object file for <paramref name="target"/>.</summary>
    public static (int Exit, string Output) Compile(
        string target,
        string source,
        string name,
        params string[] extra
    )
    {
        var dir = Directory.CreateTempSubdirectory("rein-zig-");
        try
        {
            var c = Path.Combine(dir.FullName, name + ".c");
            File.WriteAllText(c, source);
            return Cc([
                .. TargetFlags(target),
                "-std=gnu11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-ferror-limit=0",
                .. extra,
                "-c",
                c,
                "-o",
                Path.Combine(dir.FullName, name + ".o"),
            ]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rein.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("no Rein.slnx above the tests");
    }
}
