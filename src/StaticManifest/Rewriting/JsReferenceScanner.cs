using System.Buffers;
using System.Globalization;
using System.Text;

namespace Wharf.StaticManifest.Rewriting;

/// <summary>
/// Finds the module references in a JavaScript text with a lexer that understands comments, strings, template literals
/// (nested <c>${}</c> included) and regular-expression literals: static <c>import … from './a.js'</c>, side-effect
/// <c>import './a.js'</c>, <c>export … from './a.js'</c>, dynamic <c>import('./a.js')</c>,
/// <c>import.meta.resolve('./a.js')</c>, <c>new URL('./a.png', import.meta.url)</c>, and
/// <c>//# sourceMappingURL=a.js.map</c>.
/// </summary>
/// <remarks>
/// <para>
/// Only relative (<c>./</c>, <c>../</c>) and absolute (<c>/</c>) specifiers are references; bare ones (<c>react</c>) are not.
/// A dynamic import counts only when its first argument is a lone string literal or a template literal without
/// substitutions. <c>import.meta</c>, <c>obj.import(…)</c> and anything inside a string, comment, template text or regular
/// expression are not references.
/// </para>
/// <para>
/// <c>import.meta.resolve(x)</c> counts when <c>x</c> is a lone string literal or a template literal without
/// substitutions (a trailing comma allowed, a second argument not): the token sequence <c>import . meta . resolve (</c>
/// exactly, comments and line breaks between the tokens allowed. Its argument is a module specifier, so as for a dynamic
/// import only relative and absolute ones are references, not bare ones (<c>lodash</c>). Not references:
/// <c>import.meta?.resolve(…)</c>, <c>import.meta['resolve'](…)</c>, <c>obj.import.meta.resolve(…)</c> and
/// <c>import.meta.resolve</c> taken as a value.
/// </para>
/// <para>
/// <c>new URL(x, import.meta.url)</c> counts when <c>x</c> is a lone string literal or a template literal without
/// substitutions and the second argument is exactly <c>import.meta.url</c> (a trailing comma allowed): the form bundlers
/// recognise. Its URL is resolved by the browser against the module's own URL, so any non-empty value is a reference,
/// bare ones (<c>a.wasm</c>, as wasm-bindgen and Emscripten write) included; <see cref="ReferenceResolver"/> then leaves
/// alone what has a scheme or names no file. Not references: <c>URL(…)</c> without <c>new</c> (it throws),
/// <c>new URL(x)</c>, <c>new URL(x, location.href)</c> or any other base, <c>new self.URL(…)</c>, and a value with a tab,
/// a line break or leading or trailing spaces or control characters (the URL parser strips those, so the text would not
/// be the URL).
/// </para>
/// <para>
/// Whether a <c>/</c> starts a regular expression or is a division is decided from the previous significant token (the
/// usual heuristic; a regular expression cannot span lines, so a wrong guess recovers at the end of the line). One linear
/// pass, no regular expressions.
/// </para>
/// </remarks>
public static class JsReferenceScanner
{
    /// <summary>Finds the module and source-map references in <paramref name="js"/>, in the order they appear.</summary>
    /// <param name="js">The script's or module's text.</param>
    /// <returns>The references, with their spans, decoded specifiers, lines and columns.</returns>
    public static IReadOnlyList<AssetReference> Scan(string js)
    {
        ArgumentNullException.ThrowIfNull(js);
        var lexer = new Lexer(js);
        lexer.Run();
        return TextPositions.Complete(js, lexer.References, css: false);
    }

    /// <summary>Whether a specifier is relative or absolute, i.e. a candidate for rewriting.</summary>
    internal static bool IsCandidateSpecifier(string specifier) =>
        specifier.StartsWith('/') || specifier.StartsWith("./", StringComparison.Ordinal) || specifier.StartsWith("../", StringComparison.Ordinal);

    /// <summary>
    /// Whether the first argument of <c>new URL(x, import.meta.url)</c> is a candidate for rewriting. Any non-empty value
    /// is, bare ones included, since the URL parser resolves them against the module; except one the parser would first
    /// clean up (leading or trailing C0 controls and spaces stripped, tabs and line breaks removed), as the text to
    /// rewrite would then not be the URL that is resolved.
    /// </summary>
    internal static bool IsCandidateUrl(string url) =>
        url.Length > 0 && url[0] > ' ' && url[^1] > ' ' && url.AsSpan().IndexOfAny('\t', '\n', '\r') < 0;

    /// <summary>Decodes the escapes of a string literal's or template's contents <c>text[start..end]</c>.</summary>
    internal static string Decode(string text, int start, int end, bool template)
    {
        ReadOnlySpan<char> raw = text.AsSpan(start, end - start);
        if (raw.IndexOf('\\') < 0 && (!template || raw.IndexOf('\r') < 0))
        {
            return raw.ToString();
        }

        var builder = new StringBuilder(raw.Length);
        int i = start;
        while (i < end)
        {
            char c = text[i++];
            if (c == '\r' && template)
            {
                // Template literals normalise CRLF and CR to LF.
                if (i < end && text[i] == '\n')
                {
                    i++;
                }

                builder.Append('\n');
                continue;
            }

            if (c != '\\' || i >= end)
            {
                builder.Append(c);
                continue;
            }

            c = text[i++];
            switch (c)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'v': builder.Append('\v'); break;
                case '0' when i >= end || !char.IsAsciiDigit(text[i]): builder.Append('\0'); break;
                case '\r':
                    if (i < end && text[i] == '\n')
                    {
                        i++;
                    }

                    break; // a line continuation
                case '\n' or '\u2028' or '\u2029':
                    break;
                case 'x' when i + 2 <= end && char.IsAsciiHexDigit(text[i]) && char.IsAsciiHexDigit(text[i + 1]):
                    builder.Append((char)((CssReferenceScanner.HexValue(text[i]) * 16) + CssReferenceScanner.HexValue(text[i + 1])));
                    i += 2;
                    break;
                case 'u':
                    i = DecodeUnicodeEscape(text, i, end, builder);
                    break;
                default:
                    if (c is >= '0' and <= '7')
                    {
                        // A legacy octal escape (scripts only): up to three digits, at most \377.
                        int value = c - '0';
                        int max = c <= '3' ? 2 : 1;
                        while (max-- > 0 && i < end && text[i] is >= '0' and <= '7')
                        {
                            value = (value * 8) + (text[i++] - '0');
                        }

                        builder.Append((char)value);
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static int DecodeUnicodeEscape(string text, int i, int end, StringBuilder builder)
    {
        if (i < end && text[i] == '{')
        {
            int close = text.AsSpan(i, end - i).IndexOf('}');
            if (close > 1 && int.TryParse(text.AsSpan(i + 1, close - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int codePoint)
                && codePoint <= 0x10FFFF)
            {
                if (codePoint < 0x10000)
                {
                    builder.Append((char)codePoint);
                }
                else
                {
                    CssReferenceScanner.AppendCodePoint(builder, codePoint);
                }

                return i + close + 1;
            }
        }
        else if (i + 4 <= end && int.TryParse(text.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int unit))
        {
            builder.Append((char)unit);
            return i + 4;
        }

        builder.Append('u'); // not a valid escape (a syntax error in JavaScript): keep the letter
        return i;
    }

    private static bool IsLineTerminator(char c) => c is '\n' or '\r' or '\u2028' or '\u2029';

    private static bool IsIdentStart(char c) =>
        char.IsAsciiLetter(c) || c is '$' or '_' or '\\' || (c >= 0x80 && !IsUnicodeSpace(c));

    private static bool IsIdentPart(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '$' or '_' or '\\' || (c >= 0x80 && !IsUnicodeSpace(c));

    private static bool IsUnicodeSpace(char c) =>
        c is '\u00A0' or '\uFEFF' or '\u2028' or '\u2029' || char.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;

    private enum Token : byte
    {
        None,
        Ident,
        PrivateName,
        Number,
        String,
        /// <summary>A complete template literal without substitutions.</summary>
        Template,
        /// <summary>The end of a template literal with substitutions.</summary>
        TemplateTail,
        /// <summary>The start of a substitution, <c>${</c> (at the start of a template or after a <c>}</c>).</summary>
        TemplateHead,
        Regex,
        Punct,
    }

    /// <summary>An open bracket on the stack.</summary>
    private enum Open : byte
    {
        Paren,
        /// <summary>The parenthesis after <c>if</c>, <c>while</c>, <c>for</c> or <c>with</c>: a regular expression may follow its <c>)</c>.</summary>
        ConditionParen,
        Bracket,
        /// <summary>A block or class body: a regular expression may follow its <c>}</c>.</summary>
        BlockBrace,
        /// <summary>An object literal or other expression brace: a division follows its <c>}</c>.</summary>
        ExpressionBrace,
        Substitution,
    }

    /// <summary>Where the module-syntax recogniser is.</summary>
    private enum State : byte
    {
        Idle,
        AfterImport,
        ImportClause,
        AfterExport,
        ExportClause,
        DynamicOpen,
        DynamicString,
        /// <summary>After <c>new</c>: matching <c>URL(x, import.meta.url)</c> token by token (<c>_newUrlStep</c>).</summary>
        NewUrl,
        /// <summary>After <c>import .</c>: matching <c>meta.resolve(x)</c> token by token (<c>_resolveStep</c>).</summary>
        ImportMeta,
    }

    /// <summary>What an import or export clause expects next (outside its braces).</summary>
    private enum Expect : byte
    {
        Start,
        Binding,
        CommaOrFrom,
        AsOrFrom,
        Name,
        Specifier,
    }

    private sealed class Lexer(string text)
    {
        private static readonly SearchValues<char> s_doubleQuoteStops = SearchValues.Create("\"\\\n\r");
        private static readonly SearchValues<char> s_singleQuoteStops = SearchValues.Create("'\\\n\r");
        private static readonly SearchValues<char> s_templateStops = SearchValues.Create("`\\$");
        private static readonly SearchValues<char> s_lineTerminators = SearchValues.Create("\n\r\u2028\u2029");

        private readonly string _s = text;
        private readonly int _length = text.Length;
        private int _pos;
        private Open[] _stack = new Open[16];
        private int _depth;

        // The current token.
        private Token _token;
        private int _tokenStart;
        private int _tokenEnd;
        private char _punct;            // the punctuator's character ('+' for "++", '=' for "=>", '.' for "?." and "...")
        private bool _tokenAfterDot;    // the previous token was "." or "?."
        private bool _terminated;       // a string or template literal ended with its quote

        // What the previous significant token allows.
        private bool _regexAllowed = true;
        private bool _braceIsBlock = true;
        private bool _afterDot;
        private bool _parenIsCondition;

        // The module-syntax recogniser.
        private State _state;
        private Expect _clause;
        private bool _inBraces;
        private int _leadingIdents;     // identifiers at the start of the clause (a first one may be a modifier)
        private AssetReference _pendingDynamic;
        private int _newUrlStep;        // how many tokens of URL ( x , import . meta . url [,] ) have matched
        private AssetReference _pendingNewUrl;
        private int _resolveStep;       // how many tokens of meta . resolve ( x [,] ) have matched after import .
        private AssetReference _pendingResolve;

        public List<AssetReference> References { get; } = [];

        public void Run()
        {
            if (_length >= 2 && _s[0] == '#' && _s[1] == '!')
            {
                SkipLineComment(); // a hashbang
            }

            while (Next())
            {
                Recognise();
            }
        }

        private char At(int index) => index < _length ? _s[index] : '\uFFFF';

        private void Push(Open open)
        {
            if (_depth == _stack.Length)
            {
                Array.Resize(ref _stack, _stack.Length * 2);
            }

            _stack[_depth++] = open;
        }

        private bool IdentIs(string word) =>
            _token == Token.Ident && _tokenEnd - _tokenStart == word.Length && _s.AsSpan(_tokenStart, word.Length).SequenceEqual(word);

        // ---- Module syntax ----------------------------------------------------------------------------------------

        private void Recognise()
        {
            while (true)
            {
                switch (_state)
                {
                    case State.Idle:
                        if (!_tokenAfterDot && IdentIs("import"))
                        {
                            _state = State.AfterImport;
                        }
                        else if (!_tokenAfterDot && IdentIs("export"))
                        {
                            _state = State.AfterExport;
                        }
                        else if (!_tokenAfterDot && IdentIs("new"))
                        {
                            _state = State.NewUrl;
                            _newUrlStep = 0;
                        }

                        return;

                    case State.AfterImport:
                        if (_token == Token.String)
                        {
                            AddSpecifier(AssetReferenceKind.JsImport); // import './a.js'
                            _state = State.Idle;
                            return;
                        }

                        if (_token == Token.Punct && _punct == '(')
                        {
                            _state = State.DynamicOpen;
                            return;
                        }

                        if (_token == Token.Ident || (_token == Token.Punct && _punct is '*' or '{'))
                        {
                            StartClause(State.ImportClause);
                            continue; // the clause looks at this token too
                        }

                        if (IsDot())
                        {
                            _state = State.ImportMeta; // import.meta, maybe import.meta.resolve(…)
                            _resolveStep = 0;
                            return;
                        }

                        break; // not module syntax

                    case State.AfterExport:
                        if (_token == Token.Punct && _punct is '*' or '{')
                        {
                            StartClause(State.ExportClause);
                            continue;
                        }

                        break; // export default, export const, …

                    case State.ImportClause or State.ExportClause:
                        if (Clause())
                        {
                            return;
                        }

                        break;

                    case State.DynamicOpen:
                        if ((_token == Token.String || _token == Token.Template) && _terminated)
                        {
                            _pendingDynamic = MakeReference(AssetReferenceKind.JsDynamicImport);
                            _state = State.DynamicString;
                            return;
                        }

                        break;

                    case State.DynamicString:
                        if (_token == Token.Punct && _punct is ')' or ',')
                        {
                            if (IsCandidateSpecifier(_pendingDynamic.Url))
                            {
                                AddInOrder(_pendingDynamic);
                            }

                            _state = State.Idle;
                            return;
                        }

                        break; // import('./a' + b): not a plain string

                    case State.NewUrl:
                        if (NewUrl())
                        {
                            return;
                        }

                        if (_newUrlStep == 5)
                        {
                            // The import keyword was taken for import.meta, and is not: new URL(x, import('./b.js')).
                            _state = State.AfterImport;
                            continue;
                        }

                        if (_newUrlStep == 8)
                        {
                            // import.meta. was matched, and is not followed by url: new URL(x, import.meta.resolve('./b.js')).
                            _state = State.ImportMeta;
                            _resolveStep = 2;
                            continue;
                        }

                        break;

                    case State.ImportMeta:
                        if (ImportMetaResolve())
                        {
                            return;
                        }

                        break;
                }

                // Not module syntax after all: look at this token afresh.
                _state = State.Idle;
            }
        }

        private void StartClause(State state)
        {
            _state = state;
            _clause = Expect.Start;
            _inBraces = false;
            _leadingIdents = 0;
        }

        /// <summary>One token of an import or export clause; false when it cannot be one (the token is looked at afresh).</summary>
        private bool Clause()
        {
            if (_inBraces)
            {
                // Inside { a, b as c, "string name" as d }.
                if (_token is Token.Ident or Token.String || (_token == Token.Punct && _punct == ','))
                {
                    return true;
                }

                if (_token == Token.Punct && _punct == '}')
                {
                    _inBraces = false;
                    _clause = Expect.CommaOrFrom;
                    _leadingIdents = int.MinValue;
                    return true;
                }

                return false;
            }

            bool ident = _token == Token.Ident;
            bool star = _token == Token.Punct && _punct == '*';
            bool brace = _token == Token.Punct && _punct == '{';
            switch (_clause)
            {
                case Expect.CommaOrFrom when ident && IdentIs("from"):
                    _clause = Expect.Specifier;
                    return true;
                case Expect.CommaOrFrom when _token == Token.Punct && _punct == ',':
                    _clause = Expect.Binding;
                    return true;
                case Expect.CommaOrFrom when _leadingIdents == 1 && (ident || star || brace):
                    // A leading modifier: import type X from, import defer * as n from, import source x from.
                    _clause = Expect.Start;
                    return Clause();
                case Expect.Start or Expect.Binding when ident:
                    _leadingIdents++;
                    _clause = Expect.CommaOrFrom;
                    return true;
                case Expect.Start or Expect.Binding when star:
                    _leadingIdents = int.MinValue;
                    _clause = Expect.AsOrFrom;
                    return true;
                case Expect.Start or Expect.Binding when brace:
                    _inBraces = true;
                    return true;
                case Expect.AsOrFrom when ident && IdentIs("as"):
                    _clause = Expect.Name;
                    return true;
                case Expect.AsOrFrom when ident && IdentIs("from"):
                    _clause = Expect.Specifier; // export * from
                    return true;
                case Expect.Name when ident || _token == Token.String:
                    _clause = Expect.CommaOrFrom; // * as n, or export * as "name"
                    return true;
                case Expect.Specifier when _token == Token.String:
                    AddSpecifier(_state == State.ImportClause ? AssetReferenceKind.JsImport : AssetReferenceKind.JsExport);
                    _state = State.Idle;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// One token of <c>URL(x, import.meta.url)</c> after <c>new</c>; false when the form is broken (the token is looked
        /// at afresh, so <c>new Worker(new URL(…))</c> still finds the inner one).
        /// </summary>
        private bool NewUrl()
        {
            switch (_newUrlStep)
            {
                case 0 when IdentIs("URL"):
                case 1 when IsPunct('('):
                case 3 when IsPunct(','):
                case 4 when IdentIs("import"):
                case 5 or 7 when IsDot():
                case 6 when IdentIs("meta"):
                case 8 when IdentIs("url"):
                    _newUrlStep++;
                    return true;
                case 2 when (_token is Token.String or Token.Template) && _terminated:
                    _pendingNewUrl = MakeReference(AssetReferenceKind.JsNewUrl);
                    _newUrlStep++;
                    return true;
                case 9 when IsPunct(','):
                    _newUrlStep++; // a trailing comma; a third argument is not the form
                    return true;
                case 9 or 10 when IsPunct(')'):
                    if (IsCandidateUrl(_pendingNewUrl.Url))
                    {
                        AddInOrder(_pendingNewUrl);
                    }

                    _state = State.Idle;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// One token of <c>meta.resolve(x)</c> after <c>import .</c>; false when the form is broken (the token is looked at
        /// afresh).
        /// </summary>
        private bool ImportMetaResolve()
        {
            switch (_resolveStep)
            {
                case 0 when IdentIs("meta"):
                case 1 when IsDot():
                case 2 when IdentIs("resolve"):
                case 3 when IsPunct('('):
                    _resolveStep++;
                    return true;
                case 4 when (_token is Token.String or Token.Template) && _terminated:
                    _pendingResolve = MakeReference(AssetReferenceKind.JsImportMetaResolve);
                    _resolveStep++;
                    return true;
                case 5 when IsPunct(','):
                    _resolveStep++; // a trailing comma; a second argument (Node's former parent URL) is not the form
                    return true;
                case 5 or 6 when IsPunct(')'):
                    if (IsCandidateSpecifier(_pendingResolve.Url))
                    {
                        AddInOrder(_pendingResolve);
                    }

                    _state = State.Idle;
                    return true;
                default:
                    return false;
            }
        }

        private bool IsPunct(char punct) => _token == Token.Punct && _punct == punct;

        /// <summary>A lone <c>.</c>: not <c>?.</c> nor <c>...</c>.</summary>
        private bool IsDot() => IsPunct('.') && _tokenEnd - _tokenStart == 1;

        /// <summary>
        /// Adds a reference that was pending while later tokens were read: a source-map comment among those tokens
        /// (<c>import('./a.js' /*# sourceMappingURL=x */)</c>) is already in the list, and the list must stay in offset order.
        /// </summary>
        private void AddInOrder(AssetReference reference)
        {
            int at = References.Count;
            while (at > 0 && References[at - 1].Start > reference.Start)
            {
                at--;
            }

            References.Insert(at, reference);
        }

        private AssetReference MakeReference(AssetReferenceKind kind)
        {
            int start = _tokenStart + 1;
            int end = _tokenEnd - 1;
            string url = Decode(_s, start, end, template: _token == Token.Template);
            return new AssetReference(kind, start, end - start, url, _s[_tokenStart], 0, 0);
        }

        private void AddSpecifier(AssetReferenceKind kind)
        {
            if (_terminated)
            {
                AssetReference reference = MakeReference(kind);
                if (IsCandidateSpecifier(reference.Url))
                {
                    References.Add(reference);
                }
            }
        }

        // ---- Lexer ------------------------------------------------------------------------------------------------

        /// <summary>Reads the next significant token (comments and whitespace skipped); false at the end.</summary>
        private bool Next()
        {
            string s = _s;
            while (_pos < _length)
            {
                char c = s[_pos];
                switch (c)
                {
                    case ' ' or '\t' or '\n' or '\r' or '\v' or '\f':
                        _pos++;
                        continue;
                    case '/':
                        char next = At(_pos + 1);
                        if (next == '/')
                        {
                            int bodyStart = _pos + 2;
                            SkipLineComment();
                            FindSourceMap(bodyStart, _pos, lineComment: true);
                            continue;
                        }

                        if (next == '*')
                        {
                            int bodyStart = _pos + 2;
                            int close = bodyStart < _length ? s.AsSpan(bodyStart).IndexOf("*/", StringComparison.Ordinal) : -1;
                            if (close < 0)
                            {
                                _pos = _length;
                                return false;
                            }

                            _pos = bodyStart + close + 2;
                            FindSourceMap(bodyStart, bodyStart + close, lineComment: false);
                            continue;
                        }

                        if (_regexAllowed && TryRegex())
                        {
                            return true;
                        }

                        Punct(_pos, _pos + 1, '/', regexAfter: true, braceBlock: false);
                        return true;
                    case '"' or '\'':
                        ReadString(c);
                        return true;
                    case '`':
                        _tokenStart = _pos;
                        _pos++;
                        ReadTemplate(Token.Template);
                        return true;
                    case '(':
                        Push(_parenIsCondition ? Open.ConditionParen : Open.Paren);
                        Punct(_pos, _pos + 1, c, regexAfter: true, braceBlock: false);
                        return true;
                    case ')':
                        bool condition = _depth > 0 && _stack[_depth - 1] == Open.ConditionParen;
                        if (_depth > 0 && _stack[_depth - 1] is Open.Paren or Open.ConditionParen)
                        {
                            _depth--;
                        }

                        Punct(_pos, _pos + 1, c, regexAfter: condition, braceBlock: true);
                        return true;
                    case '[':
                        Push(Open.Bracket);
                        Punct(_pos, _pos + 1, c, regexAfter: true, braceBlock: false);
                        return true;
                    case ']':
                        if (_depth > 0 && _stack[_depth - 1] == Open.Bracket)
                        {
                            _depth--;
                        }

                        Punct(_pos, _pos + 1, c, regexAfter: false, braceBlock: true);
                        return true;
                    case '{':
                        Push(_braceIsBlock ? Open.BlockBrace : Open.ExpressionBrace);
                        Punct(_pos, _pos + 1, c, regexAfter: true, braceBlock: true);
                        return true;
                    case '}':
                        if (_depth > 0 && _stack[_depth - 1] == Open.Substitution)
                        {
                            _depth--;
                            _tokenStart = _pos;
                            _pos++;
                            ReadTemplate(Token.TemplateTail);
                            return true;
                        }

                        bool block = true;
                        if (_depth > 0 && _stack[_depth - 1] is Open.BlockBrace or Open.ExpressionBrace)
                        {
                            block = _stack[--_depth] == Open.BlockBrace;
                        }

                        Punct(_pos, _pos + 1, c, regexAfter: block, braceBlock: true);
                        return true;
                    case '.':
                        if (char.IsAsciiDigit(At(_pos + 1)))
                        {
                            ReadNumber();
                            return true;
                        }

                        if (At(_pos + 1) == '.' && At(_pos + 2) == '.')
                        {
                            Punct(_pos, _pos + 3, '.', regexAfter: true, braceBlock: false); // spread
                            return true;
                        }

                        Punct(_pos, _pos + 1, '.', regexAfter: true, braceBlock: false);
                        _afterDot = true;
                        return true;
                    case '?' when At(_pos + 1) == '.' && !char.IsAsciiDigit(At(_pos + 2)):
                        Punct(_pos, _pos + 2, '.', regexAfter: true, braceBlock: false);
                        _afterDot = true;
                        return true;
                    case '+' or '-' when At(_pos + 1) == c:
                        Punct(_pos, _pos + 2, c, regexAfter: false, braceBlock: false); // ++ and -- (taken as postfix)
                        return true;
                    case '=' when At(_pos + 1) == '>':
                        Punct(_pos, _pos + 2, '=', regexAfter: true, braceBlock: true); // =>
                        return true;
                    case ';':
                        Punct(_pos, _pos + 1, c, regexAfter: true, braceBlock: true);
                        return true;
                    case '#' when IsIdentStart(At(_pos + 1)):
                        _tokenStart = _pos;
                        _pos++;
                        SkipIdentChars();
                        SetToken(Token.PrivateName, regexAfter: false, braceBlock: true);
                        return true;
                    default:
                        if (char.IsAsciiDigit(c))
                        {
                            ReadNumber();
                            return true;
                        }

                        if (IsIdentStart(c))
                        {
                            ReadIdent();
                            return true;
                        }

                        if (c >= 0x80 || c == '\0')
                        {
                            _pos++; // Unicode whitespace and line terminators (and stray characters)
                            continue;
                        }

                        Punct(_pos, _pos + 1, c, regexAfter: true, braceBlock: false); // an operator: { … } after it is an object
                        return true;
                }
            }

            return false;
        }

        private void Punct(int start, int end, char punct, bool regexAfter, bool braceBlock)
        {
            _tokenStart = start;
            _pos = end;
            _punct = punct;
            SetToken(Token.Punct, regexAfter, braceBlock);
        }

        private void SetToken(Token token, bool regexAfter, bool braceBlock)
        {
            _token = token;
            _tokenEnd = _pos;
            _tokenAfterDot = _afterDot;
            _afterDot = false;
            _regexAllowed = regexAfter;
            _braceIsBlock = braceBlock;
            _parenIsCondition = false;
        }

        private void SkipLineComment()
        {
            int end = _s.AsSpan(_pos).IndexOfAny(s_lineTerminators);
            _pos = end < 0 ? _length : _pos + end;
        }

        private void FindSourceMap(int bodyStart, int bodyEnd, bool lineComment)
        {
            if (SourceMapComment.TryFind(_s, bodyStart, bodyEnd, lineComment, out int urlStart, out int urlEnd))
            {
                References.Add(new AssetReference(AssetReferenceKind.JsSourceMappingUrl, urlStart, urlEnd - urlStart,
                    _s.Substring(urlStart, urlEnd - urlStart), '\0', 0, 0));
            }
        }

        private void SkipIdentChars()
        {
            while (_pos < _length)
            {
                char c = _s[_pos];
                if (c == '\\')
                {
                    // \uXXXX (the digits are identifier characters anyway) or \u{X…}
                    _pos++;
                    if (At(_pos) == 'u' && At(_pos + 1) == '{')
                    {
                        _pos += 2;
                        while (_pos < _length && char.IsAsciiHexDigit(_s[_pos]))
                        {
                            _pos++;
                        }

                        if (At(_pos) == '}')
                        {
                            _pos++;
                        }
                    }
                }
                else if (IsIdentPart(c))
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }
        }

        private void ReadIdent()
        {
            _tokenStart = _pos;
            SkipIdentChars();
            _token = Token.Ident;
            _tokenEnd = _pos;
            bool afterDot = _afterDot;
            bool regexAfter = false;
            bool braceBlock = true;
            bool condition = false;
            if (!afterDot)
            {
                ReadOnlySpan<char> word = _s.AsSpan(_tokenStart, _tokenEnd - _tokenStart);
                switch (word)
                {
                    case "return" or "typeof" or "instanceof" or "in" or "of" or "new" or "delete" or "void" or "throw" or "case" or "yield" or "await":
                        regexAfter = true;
                        braceBlock = false; // return { … } is an object
                        break;
                    case "do" or "else" or "try" or "finally":
                        regexAfter = true;
                        break;
                    case "if" or "while" or "for" or "with":
                        condition = true;
                        break;
                }
            }

            SetToken(Token.Ident, regexAfter, braceBlock);
            _parenIsCondition = condition;
        }

        private void ReadNumber()
        {
            _tokenStart = _pos;
            bool hex = _s[_pos] == '0' && (At(_pos + 1) | 0x20) == 'x';
            _pos++;
            while (_pos < _length)
            {
                char c = _s[_pos];
                if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
                {
                    _pos++;
                }
                else if (c is '+' or '-' && !hex && (_s[_pos - 1] | 0x20) == 'e')
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }

            SetToken(Token.Number, regexAfter: false, braceBlock: true);
        }

        private void ReadString(char quote)
        {
            _tokenStart = _pos;
            SearchValues<char> stops = quote == '"' ? s_doubleQuoteStops : s_singleQuoteStops;
            int p = _pos + 1;
            _terminated = false;
            while (p < _length)
            {
                int next = _s.AsSpan(p).IndexOfAny(stops);
                if (next < 0)
                {
                    p = _length;
                    break;
                }

                p += next;
                char c = _s[p];
                if (c == quote)
                {
                    p++;
                    _terminated = true;
                    break;
                }

                if (c != '\\')
                {
                    break; // a line terminator ends an unterminated string (a syntax error)
                }

                p += At(p + 1) == '\r' && At(p + 2) == '\n' ? 3 : 2;
            }

            _pos = Math.Min(p, _length);
            SetToken(Token.String, regexAfter: false, braceBlock: true);
        }

        /// <summary>Reads template characters up to the closing backtick or a <c>${</c>.</summary>
        private void ReadTemplate(Token whole)
        {
            int p = _pos;
            _terminated = false;
            while (p < _length)
            {
                int next = _s.AsSpan(p).IndexOfAny(s_templateStops);
                if (next < 0)
                {
                    p = _length;
                    break;
                }

                p += next;
                char c = _s[p];
                if (c == '`')
                {
                    _pos = p + 1;
                    _terminated = true;
                    SetToken(whole, regexAfter: false, braceBlock: true);
                    return;
                }

                if (c == '\\')
                {
                    p += 2;
                    continue;
                }

                if (At(p + 1) == '{')
                {
                    Push(Open.Substitution);
                    _pos = p + 2;
                    _punct = '{';
                    SetToken(Token.TemplateHead, regexAfter: true, braceBlock: false);
                    return;
                }

                p++;
            }

            _pos = Math.Min(p, _length);
            SetToken(whole, regexAfter: false, braceBlock: true); // cut off by the end of the text
        }

        /// <summary>Reads a regular-expression literal at the slash; false (nothing read) if it does not end on its line.</summary>
        private bool TryRegex()
        {
            int p = _pos + 1;
            bool inClass = false;
            while (p < _length)
            {
                char c = _s[p];
                if (IsLineTerminator(c))
                {
                    return false;
                }

                if (c == '\\')
                {
                    if (p + 1 < _length && IsLineTerminator(_s[p + 1]))
                    {
                        return false;
                    }

                    p += 2;
                    continue;
                }

                if (c == '[')
                {
                    inClass = true;
                }
                else if (c == ']')
                {
                    inClass = false;
                }
                else if (c == '/' && !inClass)
                {
                    _tokenStart = _pos;
                    _pos = p + 1;
                    SkipIdentChars(); // flags
                    SetToken(Token.Regex, regexAfter: false, braceBlock: true);
                    return true;
                }

                p++;
            }

            return false;
        }
    }
}
