using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Rein.Tests.Architecture;

/// <summary>One reference from code in one namespace to a type in another, with where it was seen.</summary>
internal sealed record NamespaceEdge(string From, string To, string Site);

/// <summary>
/// Which namespaces of an assembly use which, read from its metadata: base types, interfaces, field, method, property
/// and local-variable signatures, and every type, method and field token in the IL of each method body. A reference
/// between two types of the same assembly is a TypeDef/MethodDef/FieldDef token (never a TypeRef), so the method
/// bodies are what show most of them. Compiler-generated nested types count as their outermost declaring type.
/// Not seen: a reference made only through a const (the compiler copies the value; nothing names the type), and
/// custom attribute arguments.
/// </summary>
internal sealed class NamespaceGraph
{
    readonly MetadataReader _md;
    readonly NamespaceCollector _collector;

    /// <summary>Every edge between different namespaces; a namespace using itself is left out.</summary>
    public List<NamespaceEdge> Edges { get; } = [];

    /// <summary>Every P/Invoke (a method with the pinvokeimpl flag, which [LibraryImport]'s generated inner
    /// declaration and [DllImport] both have): namespace and "Type.Method".</summary>
    public List<(string Namespace, string Method)> PInvokes { get; } = [];

    NamespaceGraph(MetadataReader md)
    {
        _md = md;
        _collector = new NamespaceCollector(md);
    }

    public static NamespaceGraph Read(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var graph = new NamespaceGraph(pe.GetMetadataReader());
        graph.Walk(pe);
        return graph;
    }

    /// <summary>The namespace a type definition lives in (a nested type: its outermost declaring type's).</summary>
    internal static string NamespaceOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = md.GetTypeDefinition(type.GetDeclaringType());
        }
        return md.GetString(type.Namespace);
    }

    string NameOf(TypeDefinitionHandle handle)
    {
        var type = _md.GetTypeDefinition(handle);
        var name = _md.GetString(type.Name);
        return type.IsNested ? $"{NameOf(type.GetDeclaringType())}.{name}" : name;
    }

    void Walk(PEReader pe)
    {
        foreach (var typeHandle in _md.TypeDefinitions)
        {
            var from = NamespaceOf(_md, typeHandle);
            if (from.Length == 0)
            {
                continue; // <Module>, <PrivateImplementationDetails>
            }
            var type = _md.GetTypeDefinition(typeHandle);
            var typeName = NameOf(typeHandle);
            var found = new HashSet<string>(StringComparer.Ordinal);
            Note(found, type.BaseType);
            foreach (var i in type.GetInterfaceImplementations())
            {
                Note(found, _md.GetInterfaceImplementation(i).Interface);
            }
            foreach (var f in type.GetFields())
            {
                _collector.Into(
                    found,
                    () => _md.GetFieldDefinition(f).DecodeSignature(_collector, null)
                );
            }
            foreach (var p in type.GetProperties())
            {
                _collector.Into(
                    found,
                    () => _md.GetPropertyDefinition(p).DecodeSignature(_collector, null)
                );
            }
            foreach (var m in type.GetMethods())
            {
                var method = _md.GetMethodDefinition(m);
                if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0)
                {
                    PInvokes.Add((from, $"{typeName}.{_md.GetString(method.Name)}"));
                }
                _collector.Into(found, () => method.DecodeSignature(_collector, null));
                if (method.RelativeVirtualAddress != 0)
                {
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                    {
                        var locals = _md.GetStandaloneSignature(body.LocalSignature);
                        _collector.Into(found, () => locals.DecodeLocalSignature(_collector, null));
                    }
                    foreach (var token in Tokens(body.GetILReader()))
                    {
                        Note(found, MetadataTokens.EntityHandle(token));
                    }
                }
            }
            foreach (var to in found.Where(n => n != from))
            {
                Edges.Add(new NamespaceEdge(from, to, typeName));
            }
        }
    }

    void Note(HashSet<string> found, EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return;
        }
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                found.Add(NamespaceOf(_md, (TypeDefinitionHandle)handle));
                break;
            case HandleKind.TypeSpecification:
                _collector.Into(
                    found,
                    () =>
                        _md.GetTypeSpecification((TypeSpecificationHandle)handle)
                            .DecodeSignature(_collector, null)
                );
                break;
            case HandleKind.MethodDefinition:
                found.Add(
                    NamespaceOf(
                        _md,
                        _md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType()
                    )
                );
                break;
            case HandleKind.FieldDefinition:
                found.Add(
                    NamespaceOf(
                        _md,
                        _md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()
                    )
                );
                break;
            case HandleKind.MemberReference:
                var member = _md.GetMemberReference((MemberReferenceHandle)handle);
                Note(found, member.Parent);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    _collector.Into(found, () => member.DecodeMethodSignature(_collector, null));
                }
                else
                {
                    _collector.Into(found, () => member.DecodeFieldSignature(_collector, null));
                }
                break;
            case HandleKind.MethodSpecification:
                var spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                Note(found, spec.Method);
                _collector.Into(found, () => spec.DecodeSignature(_collector, null));
                break;
        }
    }

    static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    /// <summary>The metadata tokens (type, method, field, member) in a method body's IL; strings and signatures
    /// (ldstr, calli) are skipped.</summary>
    static IEnumerable<int> Tokens(BlobReader il)
    {
        var tokens = new List<int>();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il.ReadByte()));
            }
            switch (Operands[value])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var count = il.ReadInt32();
                    il.Offset += 4 * count;
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    tokens.Add(il.ReadInt32());
                    break;
                default: // InlineBrTarget, InlineI, ShortInlineR, InlineString, InlineSig
                    il.Offset += 4;
                    break;
            }
        }
        return tokens;
    }
}

/// <summary>Decodes signatures, adding the namespace of every type definition of this assembly it meets to the
/// current set; types of other assemblies add nothing.</summary>
internal sealed class NamespaceCollector(MetadataReader md)
    : ISignatureTypeProvider<string, object?>
{
    HashSet<string>? _into;

    public void Into(HashSet<string> set, Action decode)
    {
        _into = set;
        decode();
        _into = null;
    }

    public string GetTypeFromDefinition(
        MetadataReader reader,
        TypeDefinitionHandle handle,
        byte rawTypeKind
    )
    {
        var ns = NamespaceGraph.NamespaceOf(md, handle);
        _into?.Add(ns);
        return ns;
    }

    public string GetTypeFromReference(
        MetadataReader reader,
        TypeReferenceHandle handle,
        byte rawTypeKind
    ) => "";

    public string GetTypeFromSpecification(
        MetadataReader reader,
        object? genericContext,
        TypeSpecificationHandle handle,
        byte rawTypeKind
    ) => md.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public string GetSZArrayType(string elementType) => elementType;

    public string GetArrayType(string elementType, ArrayShape shape) => elementType;

    public string GetByReferenceType(string elementType) => elementType;

    public string GetPointerType(string elementType) => elementType;

    public string GetPinnedType(string elementType) => elementType;

    public string GetGenericInstantiation(
        string genericType,
        ImmutableArray<string> typeArguments
    ) => genericType;

    public string GetGenericMethodParameter(object? genericContext, int index) => "";

    public string GetGenericTypeParameter(object? genericContext, int index) => "";

    public string GetFunctionPointerType(MethodSignature<string> signature) => "";

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) =>
        unmodifiedType;

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "";
}
