using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Rein.Platform;
using Rein.Platform.Posix;

namespace Rein.Tests.Platform;

/// <summary>
/// On Apple arm64 a variadic argument is passed on the stack, so a P/Invoke that declares a variadic C function with
/// a fixed argument list (open(path, flags, mode), fcntl(fd, cmd, arg)) hands it garbage there. Such imports may
/// exist only in Linux-only classes; everything else goes through the C doors (src/native/fdio.c).
/// </summary>
public sealed class VariadicImportTests
{
    /// <summary>glibc functions declared with "..." (Apple's come from its headers: AppleVariadics).</summary>
    static readonly HashSet<string> Variadic =
    [
        "open",
        "open64",
        "openat",
        "openat64",
        "fcntl",
        "fcntl64",
        "ioctl",
        "prctl",
        "syscall",
        "ptrace",
        "sem_open",
        "mq_open",
        "shm_open",
        "semctl",
        "ulimit",
        "execl",
        "execle",
        "execlp",
        "printf",
        "fprintf",
        "dprintf",
        "sprintf",
        "snprintf",
        "scanf",
        "sscanf",
        "open_dprotected_np",
        "guarded_open_np",
    ];

    static IEnumerable<(Type Type, MethodInfo Method, string EntryPoint)> Imports(Assembly assembly)
    {
        const BindingFlags all =
            BindingFlags.Public
            | BindingFlags.NonPublic
            | BindingFlags.Static
            | BindingFlags.Instance
            | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(all))
            {
                if (method.GetCustomAttribute<LibraryImportAttribute>() is { } library)
                {
                    yield return (type, method, library.EntryPoint ?? method.Name);
                }
                else if (method.GetCustomAttribute<DllImportAttribute>() is { } dll)
                {
                    yield return (type, method, dll.EntryPoint ?? method.Name);
                }
            }
        }
    }

    static bool LinuxOnly(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (
                t.GetCustomAttributes<SupportedOSPlatformAttribute>()
                    .Select(a => a.PlatformName)
                    .ToList()
                is ["linux"]
            )
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public void No_variadic_C_function_is_imported_outside_a_Linux_only_class()
    {
        var assemblies = new[] { typeof(LibC).Assembly, typeof(Rein.Cli.ReinCli).Assembly };
        var imports = assemblies.SelectMany(Imports).ToList();
        Assert.Contains(imports, i => i.EntryPoint == "kill"); // the scan sees the imports at all
        Assert.Contains(imports, i => i.EntryPoint == "fcntl" && LinuxOnly(i.Type)); // and the Linux-only ones

        var variadic = Variadic // glibc's list and (where Zig runs) every variadic in Apple's headers
            .Union(Apple.Zig.Supported ? Apple.AppleVariadics.All : Enumerable.Empty<string>())
            .ToHashSet();
        var offending = imports
            .Where(i => variadic.Contains(i.EntryPoint) && !LinuxOnly(i.Type))
            .Select(i => $"{i.Type.FullName}.{i.Method.Name} imports {i.EntryPoint}")
            .ToList();
        Assert.True(
            offending.Count == 0,
            "variadic C functions imported with a fixed argument list outside a [SupportedOSPlatform(\"linux\")] class "
                + "(wrong on Apple arm64; use Rein.Platform.Descriptors or a C door in src/native/fdio.c):\n"
                + string.Join('\n', offending)
        );
    }

    [Fact]
    public void The_C_doors_are_loaded_in_the_test_host()
    {
        // Without libreinnative the Linux fallback would run instead, and the doors macOS depends on would go untested.
        Assert.True(Descriptors.NativeDoors);
    }

    [Fact]
    public unsafe void A_pipe_is_close_on_exec_and_its_read_end_becomes_non_blocking()
    {
        var (read, write) = LibC.CloexecPipe();
        try
        {
            Assert.True(Descriptors.IsCloseOnExec(read));
            Assert.True(Descriptors.IsCloseOnExec(write));
            Assert.False(Descriptors.IsNonBlocking(read));
            LibC.SetNonBlocking(read);
            Assert.True(Descriptors.IsNonBlocking(read));
            var buf = stackalloc byte[8];
            Assert.Equal(-1, LibC.read(read, buf, 8)); // EAGAIN instead of waiting for a writer
        }
        finally
        {
            LibC.close(read);
            LibC.close(write);
        }
    }

    [Fact]
    [SupportedOSPlatform("linux")] // the analyzer does not read Assert.SkipUnless as a platform guard
    public unsafe void The_Linux_fallback_without_libreinnative_does_the_same()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux(),
            "the fixed-arity fallback exists only on Linux"
        );
        var fds = stackalloc int[2];
        Assert.True(Rein.Platform.Linux.LinuxLibC.PipeCloseOnExec(fds));
        try
        {
            Assert.Equal(1, Rein.Platform.Linux.LinuxLibC.GetCloseOnExec(fds[0]));
            Assert.Equal(0, Rein.Platform.Linux.LinuxLibC.GetNonBlocking(fds[0]));
            Assert.True(Rein.Platform.Linux.LinuxLibC.SetNonBlocking(fds[0]));
            Assert.True(Descriptors.IsNonBlocking(fds[0])); // read back through the C door
            Assert.Equal(-1, Rein.Platform.Linux.LinuxLibC.GetCloseOnExec(-1));
        }
        finally
        {
            LibC.close(fds[0]);
            LibC.close(fds[1]);
        }
    }

    [Fact]
    public void A_file_is_created_with_exactly_the_mode_asked_for()
    {
        var dir = Directory.CreateTempSubdirectory("rein-variadic-");
        try
        {
            var path = Path.Combine(dir.FullName, "f");
            var fd = Rein.Config.StateFile.CreateForAppend(path);
            Assert.True(Descriptors.IsCloseOnExec(fd));
            LibC.close(fd);
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(path)
            );
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
