using System.Reflection;
using System.Runtime.InteropServices;

namespace Rein.Cli;

/// <summary>
/// Loads SQLite's native library from beside the rein binary by its path. Left to the runtime, the first SQLite call
/// probes <c>e_sqlite3.so</c> through the dynamic loader's whole search path (about 70 failed opens here) before it
/// tries <c>libe_sqlite3.so</c> beside the binary, on every verb that reads the journal. Where the library is not
/// there (a framework-dependent host keeps it under runtimes/, a build that links SQLite statically binds it at link time and
/// never asks), the runtime's own probing runs as before. Only the CLI does this: a library host's resolver is its
/// own to set.
/// </summary>
internal static class SqliteLibrary
{
    public static void PreferBesideBinary()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(
                typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly,
                Resolve
            );
        }
        catch (InvalidOperationException) { } // a resolver is already set
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != "e_sqlite3")
        {
            return IntPtr.Zero;
        }

        var file = OperatingSystem.IsMacOS() ? "libe_sqlite3.dylib" : "libe_sqlite3.so";
        return NativeLibrary.TryLoad(Path.Combine(AppContext.BaseDirectory, file), out var handle)
            ? handle
            : IntPtr.Zero;
    }
}
