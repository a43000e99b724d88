using Rein.Cli;

// `rein __shim` never gets here: the NativeAOT binary runs it in C before the runtime starts (src/native/preinit.c).
// The arguments as the kernel passed them, every byte kept (the runtime's `args` hold U+FFFD for what is not UTF-8).
var raw = Rein.Processes.Shim.NativePart.CallerArguments();
return ReinCli.Execute(raw is not null && raw.Length == args.Length ? raw : args);
