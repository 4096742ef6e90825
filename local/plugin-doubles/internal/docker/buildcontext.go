package docker

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// ignorePattern is one line of a .dockerignore, compiled as moby/patternmatcher compiles it.
type ignorePattern struct {
	exclusion bool // a "!" line: re-includes what it matches
	re        *regexp.Regexp
}

// readIgnorePatterns reads <dockerfile>.dockerignore, else <context>/.dockerignore (pulumi-docker's
// getIgnorePatterns order); no file means no patterns.
func readIgnorePatterns(dockerfilePath, contextDir string) ([]string, error) {
	for _, candidate := range []string{dockerfilePath + ".dockerignore", filepath.Join(contextDir, ".dockerignore")} {
		f, err := os.Open(candidate)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("error reading ignore file: reading %q: %w", candidate, err)
		}
		defer f.Close()
		return parseIgnoreFile(f)
	}
	return nil, nil
}

// parseIgnoreFile follows moby/patternmatcher/ignorefile.ReadAll: comments and blank lines dropped, each
// pattern trimmed and cleaned, a leading "/" removed, "!" kept as the exclusion mark.
func parseIgnoreFile(r io.Reader) ([]string, error) {
	var patterns []string
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		invert := strings.HasPrefix(line, "!")
		if invert {
			line = strings.TrimSpace(line[1:])
		}
		if line != "" {
			line = filepath.ToSlash(filepath.Clean(line))
			if len(line) > 1 && line[0] == '/' {
				line = line[1:]
			}
		}
		if invert {
			line = "!" + line
		}
		patterns = append(patterns, line)
	}
	return patterns, scanner.Err()
}

func compilePatterns(patterns []string) ([]ignorePattern, error) {
	out := make([]ignorePattern, 0, len(patterns))
	for _, p := range patterns {
		exclusion := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if p == "" {
			return nil, errors.New("illegal exclusion pattern: \"!\"")
		}
		re, err := regexp.Compile(patternRegexp(p))
		if err != nil {
			return nil, fmt.Errorf("invalid .dockerignore pattern %q: %w", p, err)
		}
		out = append(out, ignorePattern{exclusion: exclusion, re: re})
	}
	return out, nil
}

// patternRegexp translates a .dockerignore pattern like patternmatcher's compile: "*" any run of non-"/",
// "?" one non-"/", "**" any number of directories, "\" escapes the next character.
func patternRegexp(p string) string {
	var b strings.Builder
	b.WriteString("^")
	runes := []rune(p)
	for i := 0; i < len(runes); i++ {
		ch := runes[i]
		switch {
		case ch == '*' && i+1 < len(runes) && runes[i+1] == '*':
			i++
			if i+1 < len(runes) && runes[i+1] == '/' {
				i++
			}
			if i+1 >= len(runes) {
				b.WriteString(".*")
			} else {
				b.WriteString("(.*/)?")
			}
		case ch == '*':
			b.WriteString("[^/]*")
		case ch == '?':
			b.WriteString("[^/]")
		case strings.ContainsRune(".+()|{}$", ch):
			b.WriteString(`\` + string(ch))
		case ch == '\\':
			if i+1 < len(runes) {
				i++
				b.WriteString(`\` + string(runes[i]))
			} else {
				b.WriteString(`\\`)
			}
		default:
			b.WriteRune(ch)
		}
	}
	b.WriteString("$")
	return b.String()
}

// excluded is patternmatcher's MatchesOrParentMatches: the last pattern that matches the path or one of
// its parent directories decides.
func excluded(patterns []ignorePattern, rel string) bool {
	matched := false
	parent := path.Dir(rel)
	var parents []string
	if parent != "." {
		parents = strings.Split(parent, "/")
	}
	for _, p := range patterns {
		if p.exclusion != matched {
			continue
		}
		match := p.re.MatchString(rel)
		for i := 0; !match && i < len(parents); i++ {
			match = p.re.MatchString(strings.Join(parents[:i+1], "/"))
		}
		if match {
			matched = !p.exclusion
		}
	}
	return matched
}

// contextFile is a file of the build context, path relative to the context, in walk order.
type contextFile struct {
	rel  string
	abs  string
	info fs.FileInfo
}

// walkContext lists what the patterns leave of the context, in lexical order (as filepath.WalkDir and
// fsutil.Walk visit it), directories included.
func walkContext(contextDir string, patterns []ignorePattern) ([]contextFile, error) {
	var files []contextFile
	err := filepath.WalkDir(contextDir, func(abs string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(contextDir, abs)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if excluded(patterns, rel) {
			return nil // children may still be re-included by a "!" pattern, so keep walking
		}
		info, err := os.Lstat(abs)
		if err != nil {
			return err
		}
		files = append(files, contextFile{rel: rel, abs: abs, info: info})
		return nil
	})
	return files, err
}

// contextDigest is pulumi-docker's hashContext: sha256 over (name, mode, sha256 of content) of the
// Dockerfile (named "Dockerfile", mode 0) and then of every file the .dockerignore leaves in the context.
// It goes into build.contextDigest, so an edited file makes a diff, as with the real provider.
func contextDigest(contextDir, dockerfilePath string) (string, error) {
	patterns, err := readIgnorePatterns(dockerfilePath, contextDir)
	if err != nil {
		return "", err
	}
	compiled, err := compilePatterns(patterns)
	if err != nil {
		return "", err
	}
	var acc bytes.Buffer
	if err := hashPath(&acc, dockerfilePath, "Dockerfile", 0); err != nil {
		return "", fmt.Errorf("error hashing dockerfile %q: %w", dockerfilePath, err)
	}
	files, err := walkContext(contextDir, compiled)
	if err != nil {
		return "", fmt.Errorf("unable to hash build context: %w", err)
	}
	for _, f := range files {
		if f.info.IsDir() {
			continue
		}
		if err := hashPath(&acc, f.abs, f.rel, f.info.Mode()); err != nil {
			return "", fmt.Errorf("unable to hash build context: error while hashing %q: %w", f.rel, err)
		}
	}
	sum := sha256.Sum256(acc.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

func hashPath(acc *bytes.Buffer, filePath, rel string, mode fs.FileMode) error {
	h := sha256.New()
	switch {
	case mode.Type() == fs.ModeSymlink:
		target, err := filepath.EvalSymlinks(filePath)
		if err != nil {
			return fmt.Errorf("could not evaluate symlink at %s: %w", filePath, err)
		}
		h.Write([]byte(filepath.ToSlash(filepath.Clean(target))))
	case mode.IsRegular():
		f, err := os.Open(filePath)
		if err != nil {
			return fmt.Errorf("could not open file %s: %w", filePath, err)
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
	}
	acc.WriteString(filepath.ToSlash(path.Clean(rel)))
	acc.WriteString(mode.String())
	acc.Write(h.Sum(nil))
	acc.WriteByte(0)
	return nil
}

// contextTar is the build context as the Docker CLI sends it: the files the .dockerignore leaves (the
// Dockerfile and .dockerignore always kept, as TrimBuildFilesFromExcludes does), owned by root.
func contextTar(contextDir, relDockerfile string, patterns []string) ([]byte, error) {
	keep := append([]string{}, patterns...)
	compiled, err := compilePatterns(keep)
	if err != nil {
		return nil, err
	}
	if excluded(compiled, ".dockerignore") {
		keep = append(keep, "!.dockerignore")
	}
	if excluded(compiled, filepath.ToSlash(relDockerfile)) {
		keep = append(keep, "!"+filepath.ToSlash(relDockerfile))
	}
	if compiled, err = compilePatterns(keep); err != nil {
		return nil, err
	}
	files, err := walkContext(contextDir, compiled)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		if err := addToTar(tw, f); err != nil {
			return nil, fmt.Errorf("error archiving the build context at %s: %w", f.rel, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func addToTar(tw *tar.Writer, f contextFile) error {
	link := ""
	if f.info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(f.abs)
		if err != nil {
			return err
		}
		link = target
	}
	hdr, err := tar.FileInfoHeader(f.info, link)
	if err != nil {
		return err
	}
	hdr.Name = f.rel
	if f.info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !f.info.Mode().IsRegular() {
		return nil
	}
	file, err := os.Open(f.abs)
	if err != nil {
		return err
	}
	defer file.Close()
	_, err = io.Copy(tw, file)
	return err
}
