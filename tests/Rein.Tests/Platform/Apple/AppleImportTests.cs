using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Rein.Platform.MacOS;

namespace Rein.Tests.Platform.Apple;

/// <summary>A P/Invoke as C# declares it.</summary>
internal sealed record Import(
    Type Type,
    MethodInfo Method,
    string Library,
    string EntryPoint,
    bool Utf8
)
{
    public override string ToString() => $"{Type.FullName}.{Method.Name} ({Library}!{EntryPoint})";
}

/// <summary>
/// Every [LibraryImport]/[DllImport] reachable on macOS (everything outside a [SupportedOSPlatform("linux")]-only
/// class or method) rendered as a C prototype from its C# declaration (ImportTypes is the type table) and compiled
/// after Apple's own headers: a conflicting declaration, an undeclared function (a Linux-only call such as pipe2 or
/// prctl) or a variadic one is a compile error. The libc imports are then linked into a Mach-O executable against
/// Apple's libSystem stubs with the deployment target .NET 10's NativeAOT uses for macOS (12.0) and
/// -Wunguarded-availability, so an import newer than that is an error too. rein's own C doors (reinnative) are
/// compared with their definitions in src/native.
/// </summary>
public sealed class AppleImportTests
{
    /// <summary>AppleMinOSVersion for osx in Microsoft.DotNet.ILCompiler 10's Microsoft.NETCore.Native.Unix.targets.</summary>
    const string DeploymentTarget = "12.0";

    public static TheoryData<string> Targets => [.. Zig.Targets];

    internal static IEnumerable<Import> All()
    {
        const BindingFlags all =
            BindingFlags.Public
            | BindingFlags.NonPublic
            | BindingFlags.Static
            | BindingFlags.Instance
            | BindingFlags.DeclaredOnly;
        foreach (var type in AppleChecks.Assemblies.SelectMany(a => a.GetTypes()))
        {
            foreach (
                var method in type.GetMethods(all)
                    .Where(m => !m.Name.Contains('<', StringComparison.Ordinal))
            )
            {
                if (method.GetCustomAttribute<LibraryImportAttribute>() is { } l)
                {
                    yield return new(
                        type,
                        method,
                        l.LibraryName,
                        l.EntryPoint ?? method.Name,
                        l.StringMarshalling == StringMarshalling.Utf8
                    );
                }
                else if (method.GetCustomAttribute<DllImportAttribute>() is { } d)
                {
                    yield return new(type, method, d.Value, d.EntryPoint ?? method.Name, false);
                }
            }
        }
    }

    internal static bool LinuxOnly(MemberInfo member)
    {
        for (MemberInfo? m = member; m is not null; m = m.DeclaringType)
        {
            if (
                m.GetCustomAttributes<SupportedOSPlatformAttribute>()
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

    internal static List<Import> ReachableOnMac() => [.. All().Where(i => !LinuxOnly(i.Method))];

    static string Map(Import import, int index, Type type)
    {
        if (ImportTypes.Overrides.TryGetValue((import.EntryPoint, index), out var o))
        {
            return o.CType;
        }

        if (type == typeof(string))
        {
            Assert.True(
                import.Utf8,
                $"{import}: a string parameter without StringMarshalling.Utf8"
            );
            return "const char *";
        }

        if (type.IsFunctionPointer)
        {
            var ret = Map(import, int.MinValue, type.GetFunctionPointerReturnType());
            var args = type.GetFunctionPointerParameterTypes()
                .Select(p => Map(import, int.MinValue, p));
            return $"{ret} (*)({string.Join(", ", args)})";
        }

        if (type.IsPointer)
        {
            var element = type.GetElementType()!;
            return element.GetCustomAttribute<AppleStructAttribute>() is { } s
                ? s.Type + " *"
                : Map(import, int.MinValue, element) + " *";
        }

        Assert.True(
            ImportTypes.Scalars.TryGetValue(type, out var c),
            $"{import}: no C type for {type} in ImportTypes (parameter {index})"
        );
        return c!;
    }

    /// <summary>One prototype per import; before it, the name must be declared by what was included (a fresh
    /// declaration of a function macOS lacks would compile), and each override's kind is checked.</summary>
    internal static string Prototypes(IEnumerable<Import> imports)
    {
        var c = new StringBuilder();
        foreach (var group in imports.GroupBy(i => i.EntryPoint))
        {
            foreach (var import in group)
            {
                var name = import.EntryPoint;
                var parameters = import.Method.GetParameters();
                var cTypes = parameters.Select((p, n) => Map(import, n, p.ParameterType)).ToList();
                var ret = Map(import, -1, import.Method.ReturnType);
                c.Append($"_Static_assert(sizeof(&({name})) > 0, \"{import}\");\n");
                foreach (
                    var (index, csharp) in parameters
                        .Select((p, n) => (n, p.ParameterType))
                        .Prepend((-1, import.Method.ReturnType))
                )
                {
                    if (ImportTypes.Overrides.TryGetValue((name, index), out var o))
                    {
                        c.Append(KindCheck(import, index, csharp, o));
                    }
                }

                c.Append(
                    $"__typeof__({ret}) ({name})({(cTypes.Count == 0 ? "void" : string.Join(", ", cTypes))});\n"
                );
            }
        }

        return c.ToString();
    }

    static string KindCheck(Import import, int index, Type csharp, Override o)
    {
        var what = $"{import} {(index < 0 ? "return" : $"parameter {index}")} as {o.CType}";
        switch (o.Kind)
        {
            case Differs.Pointee:
                Assert.True(
                    csharp.IsPointer || csharp.IsFunctionPointer,
                    $"{what}: C# passes {csharp}, not a pointer"
                );
                return $"_Static_assert(__builtin_classify_type(({o.CType})0) == 5, \"{what}: not a pointer in C\");\n";
            case Differs.Handle:
                Assert.True(
                    csharp == typeof(nint) || csharp == typeof(nuint),
                    $"{what}: C# passes {csharp}, not nint"
                );
                return $"_Static_assert(__builtin_classify_type(({o.CType})0) == 5 && sizeof({o.CType}) == sizeof(long), \"{what}: not a pointer in C\");\n";
            default:
                Assert.True(
                    ImportTypes.Scalars.ContainsKey(csharp) && csharp != typeof(void),
                    $"{what}: C# passes {csharp}, not an integer"
                );
                var mapped = ImportTypes.Scalars[csharp];
                var op = o.Kind == Differs.Sign ? "==" : "<";
                return $"_Static_assert(__builtin_classify_type(({o.CType})0) == 1 && sizeof({o.CType}) {op} sizeof({mapped}), \"{what}: not the {o.Kind} difference it claims\");\n";
        }
    }

    /// <summary>A translation unit that takes every import's address in main, so linking it needs every symbol.</summary>
    internal static string LinkUnit(IReadOnlyList<Import> imports) =>
        AppleChecks.Prelude()
        + Prototypes(imports)
        + "int main(void) {\n    void *volatile refs[] = {\n"
        + string.Concat(
            imports.Select(i => i.EntryPoint).Distinct().Select(n => $"        (void *)&({n}),\n")
        )
        + "    };\n    return refs[0] == 0;\n}\n";

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_libc_import_reachable_on_macOS_is_Apples_declaration_and_links(string target)
    {
        var libc = ReachableOnMac().Where(i => i.Library == "libc").ToList();
        Assert.Contains(libc, i => i.EntryPoint == "proc_pidinfo");
        Assert.Contains(libc, i => i.EntryPoint == "posix_spawnp");
        Assert.Contains(libc, i => i.EntryPoint == "pthread_create");

        var (exit, output, magic) = Link(
            target + "." + DeploymentTarget,
            LinkUnit(libc),
            "imports"
        );
        Assert.True(exit == 0, $"{target}: imports that are not Apple's declaration:\n{output}");
        Assert.Equal(
            MacNativeBuildTests.ExpectedHeader(target, MacNativeBuildTests.MH_EXECUTE),
            magic
        );
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_import_of_reins_own_C_is_its_definition(string target)
    {
        var native = ReachableOnMac().Where(i => i.Library == "reinnative").ToList();
        Assert.Contains(native, i => i.EntryPoint == "rein_open");
        Assert.Contains(native, i => i.EntryPoint == "rein_native_inherited_fd");
        Assert.Equal(
            ["libc", "reinnative"],
            ReachableOnMac().Select(i => i.Library).Distinct().Order()
        );

        // The files of the NativeAOT link that define rein's C doors (the shim's own files only call libc).
        var src = MacNativeBuildTests.Native;
        var unit =
            string.Concat(
                MacNativeBuildTests
                    .LinkedIntoNativeAot()
                    .Where(f => !f.StartsWith("shim", StringComparison.Ordinal))
                    .Select(f => $"#include \"{Path.Combine(src, f)}\"\n")
            ) + Prototypes(native);
        var (exit, output) = Zig.Compile(target, unit, "reinnative", "-I", src);
        Assert.True(
            exit == 0,
            $"{target}: imports that are not src/native's definitions:\n{output}"
        );
    }

    /// <summary>The check has teeth: LinuxLibC's imports, were they reachable on macOS, fail (undeclared on macOS,
    /// or variadic there).</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void Linux_only_imports_fail_when_reachable_on_macOS(string target)
    {
        var linux = All().Where(i => LinuxOnly(i.Method) && i.Library == "libc").ToList();
        string[] expected = ["pipe2", "prctl", "open", "fcntl"];
        Assert.All(expected, e => Assert.Contains(linux, i => i.EntryPoint == e));

        var (exit, output) = Zig.Compile(
            target,
            AppleChecks.Prelude() + Prototypes(linux),
            "linux-imports"
        );
        Assert.NotEqual(0, exit);
        Assert.Contains("use of undeclared identifier 'pipe2'", output, StringComparison.Ordinal);
        Assert.Contains("use of undeclared identifier 'prctl'", output, StringComparison.Ordinal);
        Assert.Contains("conflicting types for 'open'", output, StringComparison.Ordinal);
        Assert.Contains("conflicting types for 'fcntl'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_override_is_used_by_a_reachable_import()
    {
        var used = ReachableOnMac()
            .SelectMany(i =>
                Enumerable
                    .Range(-1, i.Method.GetParameters().Length + 1)
                    .Select(n => (i.EntryPoint, n))
            )
            .ToHashSet();
        var stale = ImportTypes.Overrides.Keys.Where(k => !used.Contains(k)).ToList();
        Assert.True(
            stale.Count == 0,
            "overrides no import reachable on macOS has: " + string.Join(", ", stale)
        );
    }

    [Fact]
    public void No_import_reachable_on_macOS_is_variadic_in_Apples_headers()
    {
        var variadic = AppleVariadics.All;
        string[] known =
        [
            "open",
            "openat",
            "fcntl",
            "ioctl",
            "printf",
            "execl",
            "syscall",
            "sem_open",
        ];
        Assert.All(known, k => Assert.Contains(k, variadic));
        Assert.DoesNotContain("kill", variadic);
        Assert.DoesNotContain("proc_pidinfo", variadic);

        var offending = ReachableOnMac()
            .Where(i => variadic.Contains(i.EntryPoint))
            .Select(i => i.ToString())
            .ToList();
        Assert.True(
            offending.Count == 0,
            "variadic in Apple's headers, imported with fixed arguments:\n"
                + string.Join('\n', offending)
        );
    }

    static (int Exit, string Output, uint[] Header) Link(string target, string source, string name)
    {
        var dir = Directory.CreateTempSubdirectory("rein-zig-");
        try
        {
            var c = Path.Combine(dir.FullName, name + ".c");
            var exe = Path.Combine(dir.FullName, name);
            File.WriteAllText(c, source);
            var (exit, output) = Zig.Cc([
                .. Zig.TargetFlags(target),
                "-std=gnu11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-Wunguarded-availability",
                "-ferror-limit=0",
                "-o",
                exe,
                c,
            ]);
            return (exit, output, exit == 0 ? MacNativeBuildTests.ReadHeader(exe) : []);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
