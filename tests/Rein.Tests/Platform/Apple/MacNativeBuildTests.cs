using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace Rein.Tests.Platform.Apple;

/// <summary>
/// src/native built for macOS on Linux by Zig's C compiler against Apple's headers and libSystem stubs: every file
/// compiles with -Wall -Wextra -Werror for aarch64-macos and x86_64-macos, the shim links into a Mach-O executable,
/// libreinnative into a Mach-O dylib, and the objects the NativeAOT binary links (preinit, fdio, the shim) link
/// together (every libc call they make exists on macOS). Nothing here runs: there is no Mac.
/// </summary>
public sealed class MacNativeBuildTests
{
    public const uint MH_EXECUTE = 2;
    public const uint MH_DYLIB = 6;

    public static TheoryData<string> Targets => [.. Zig.Targets];

    public static TheoryData<string, string> Files()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Native, "*.c").Order(StringComparer.Ordinal))
        {
            foreach (var target in Zig.Targets)
            {
                data.Add(target, Path.GetFileName(file));
            }
        }

        return data;
    }

    /// <summary>The C files Rein.Cli.csproj links into the NativeAOT binary (ReinNativeSource).</summary>
    internal static List<string> LinkedIntoNativeAot()
    {
        var csproj = File.ReadAllText(
            Path.Combine(Zig.RepoRoot, "src", "Rein.Cli", "Rein.Cli.csproj")
        );
        var include = Regex.Match(csproj, "<ReinNativeSource Include=\"([^\"]+)\"").Groups[1].Value;
        return [.. include.Split(';').Select(f => Path.GetFileName(f))];
    }

    internal static string Native => Path.Combine(Zig.RepoRoot, "src", "native");

    static readonly string[] Warnings = ["-O2", "-Wall", "-Wextra", "-Werror"];

    static string[] Sources(params string[] names) =>
        [.. names.Select(n => Path.Combine(Native, n))];

    /// <summary>mach_header_64: magic, cputype, cpusubtype (ignored), filetype.</summary>
    public static uint[] ExpectedHeader(string target, uint filetype) =>
        [
            0xFEEDFACF, // MH_MAGIC_64
            target.StartsWith("aarch64", StringComparison.Ordinal) ? 0x0100000Cu : 0x01000007u, // CPU_TYPE_ARM64 / X86_64
            filetype,
        ];

    public static uint[] ReadHeader(string path)
    {
        var b = File.ReadAllBytes(path);
        return b.Length < 16
            ? []
            :
            [
                BinaryPrimitives.ReadUInt32LittleEndian(b),
                BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)),
                BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)),
            ];
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_native_file_compiles_for_macOS_with_warnings_as_errors(
        string target,
        string file
    )
    {
        var dir = Directory.CreateTempSubdirectory("rein-zig-");
        try
        {
            var (exit, output) = Zig.Cc([
                "-target",
                target,
                .. Warnings,
                "-c",
                Path.Combine(Native, file),
                "-o",
                Path.Combine(dir.FullName, "x.o"),
            ]);
            Assert.True(exit == 0, $"{file} for {target}:\n{output}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    static uint[] Link(string target, string output, string[] flags, string[] sources)
    {
        var (exit, text) = Zig.Cc([
            "-target",
            target,
            .. Warnings,
            .. flags,
            "-o",
            output,
            .. sources,
        ]);
        Assert.True(exit == 0, $"linking {Path.GetFileName(output)} for {target}:\n{text}");
        return ReadHeader(output);
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_shim_links_into_a_MachO_executable(string target)
    {
        var dir = Directory.CreateTempSubdirectory("rein-zig-");
        try
        {
            var header = Link(
                target,
                Path.Combine(dir.FullName, "rein-shim"),
                [],
                Sources("shim.c", "shim_args.c", "shim_tree.c", "shim_main.c")
            );
            Assert.Equal(ExpectedHeader(target, MH_EXECUTE), header);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Libreinnative_links_into_a_MachO_dylib(string target)
    {
        var dir = Directory.CreateTempSubdirectory("rein-zig-");
        try
        {
            var header = Link(
                target,
                Path.Combine(dir.FullName, "libreinnative.dylib"),
                ["-shared", "-fPIC"],
                Sources("fdio.c")
            );
            Assert.Equal(ExpectedHeader(target, MH_DYLIB), header);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>What Rein.Cli.csproj links into the NativeAOT binary (ReinNativeSource), with a stand-in main.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void The_objects_linked_into_the_NativeAOT_binary_link_together(string target)
    {
        var dir = Directory.CreateTempSubdirectory("rein-zig-");
        try
        {
            var main = Path.Combine(dir.FullName, "main.c");
            File.WriteAllText(main, "int main(void) { return 0; }\n");
            var linked = LinkedIntoNativeAot();
            Assert.Contains("preinit.c", linked);
            Assert.Contains("fdio.c", linked);
            var header = Link(
                target,
                Path.Combine(dir.FullName, "rein-native"),
                [],
                [.. Sources([.. linked]), main]
            );
            Assert.Equal(ExpectedHeader(target, MH_EXECUTE), header);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
