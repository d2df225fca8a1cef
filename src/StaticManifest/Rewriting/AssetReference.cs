namespace Wharf.StaticManifest.Rewriting;

/// <summary>The syntax an <see cref="AssetReference"/> was found in.</summary>
/// <remarks>
/// The numeric values are stored in the collect cache file (<see cref="Collecting.StaticCollectOptions.CacheFile"/>):
/// new kinds are appended at the end, and existing ones are never renumbered.
/// </remarks>
public enum AssetReferenceKind
{
    /// <summary>
    /// CSS <c>url(x)</c>, <c>url("x")</c> or <c>src("x")</c>, wherever it appears: declarations, <c>@import url(x)</c>,
    /// <c>image-set(url(x) 1x)</c>, <c>@font-face { src: url(x) format("woff2") }</c>.
    /// </summary>
    CssUrl,

    /// <summary>The string of a CSS <c>@import "x"</c> or <c>@import 'x'</c>.</summary>
    CssImportString,

    /// <summary>A string argument of CSS <c>image-set("x" 1x)</c> or <c>-webkit-image-set(…)</c>.</summary>
    CssImageSetString,

    /// <summary>A CSS <c>/*# sourceMappingURL=x */</c> comment (or the older <c>/*@ … */</c>).</summary>
    CssSourceMappingUrl,

    /// <summary>
    /// The specifier of a JavaScript static import: <c>import x from './a.js'</c>, <c>import {a} from './a.js'</c>,
    /// <c>import * as n from './a.js'</c> or the side-effect <c>import './a.js'</c>.
    /// </summary>
    JsImport,

    /// <summary>The specifier of a JavaScript re-export: <c>export {x} from './a.js'</c>, <c>export * from './a.js'</c>.</summary>
    JsExport,

    /// <summary>
    /// The specifier of a JavaScript dynamic <c>import('./a.js')</c> whose only (or first) argument is a string literal or a
    /// template literal without substitutions.
    /// </summary>
    JsDynamicImport,

    /// <summary>A JavaScript <c>//# sourceMappingURL=x.map</c> comment (or <c>//@ …</c>, or the block-comment form).</summary>
    JsSourceMappingUrl,

    /// <summary>
    /// The first argument of a JavaScript <c>new URL('./a.png', import.meta.url)</c>: the asset-URL form browsers resolve
    /// against the module's own URL, and that Vite, webpack 5, Parcel and esbuild recognise for workers, WebAssembly,
    /// images and fonts (<c>new Worker(new URL('./w.js', import.meta.url))</c> holds one). The argument is a string literal
    /// or a template literal without substitutions, and the second argument is exactly <c>import.meta.url</c>. Unlike an
    /// import specifier, a bare URL (<c>a.wasm</c>) is relative to the module here, so it is a reference too.
    /// </summary>
    /// <remarks>Appended last: the numeric values of this enum are stored in the collect cache file.</remarks>
    JsNewUrl,

    /// <summary>
    /// The argument of a JavaScript <c>import.meta.resolve('./a.js')</c>, which browsers and Node resolve as a module
    /// specifier against the module's own URL. The argument is a string literal or a template literal without
    /// substitutions. As for an import, only relative (<c>./</c>, <c>../</c>) and absolute (<c>/</c>) specifiers are
    /// references; a bare one (<c>lodash</c>) names a package.
    /// </summary>
    /// <remarks>Appended last: the numeric values of this enum are stored in the collect cache file.</remarks>
    JsImportMetaResolve,
}

/// <summary>
/// One asset reference found in a CSS or JavaScript text by <see cref="CssReferenceScanner"/> or
/// <see cref="JsReferenceScanner"/>.
/// </summary>
/// <param name="Kind">The syntax the reference was found in.</param>
/// <param name="Start">
/// The offset, in UTF-16 code units, of the URL text in the source: the first character inside the quotes of a string, or
/// of the value of an unquoted <c>url()</c> (after its leading whitespace), or after the <c>=</c> of a source-map comment.
/// </param>
/// <param name="Length">
/// The length of the URL text as written, escapes included (so <c>text.Substring(Start, Length)</c> is what to replace).
/// </param>
/// <param name="Url">The URL value: CSS escapes or JavaScript string escapes resolved; percent-escapes are kept.</param>
/// <param name="Quote">
/// The quote around the URL text: <c>'"'</c>, <c>'\''</c>, <c>'`'</c> (a JavaScript template literal), or <c>'\0'</c> for an
/// unquoted CSS <c>url()</c> or a source-map comment. <see cref="ReferenceResolver.FormatReplacement"/> escapes for it.
/// </param>
/// <param name="Line">The 1-based line of <paramref name="Start"/> (CR, LF and CRLF end a line; so do FF in CSS and U+2028/U+2029 in JavaScript).</param>
/// <param name="Column">The 1-based column of <paramref name="Start"/>, counted in Unicode code points (a surrogate pair is one column).</param>
public readonly record struct AssetReference(
    AssetReferenceKind Kind, int Start, int Length, string Url, char Quote, int Line, int Column)
{
    /// <summary>The offset just after the URL text.</summary>
    public int End => Start + Length;

    /// <summary>Whether the URL text sits inside quotes (a string or template literal).</summary>
    public bool IsQuoted => Quote != '\0';
}
