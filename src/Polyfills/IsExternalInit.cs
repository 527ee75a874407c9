// Polyfill for netstandard2.0 so that records and init-only setters compile in the generator and analyzers.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
