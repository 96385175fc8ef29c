// Command dockercheck checks deploy/docker without a Docker daemon, with the same Go code
// that Docker itself runs:
//
//	dockercheck dockerfile FILE   BuildKit's Dockerfile parser and the linter behind
//	                              `docker build --check` (base images are not pulled:
//	                              their metadata is stubbed, so no registry is contacted)
//	dockercheck compose FILE      compose-go's loader, as used by `docker compose config`:
//	                              compose-spec JSON schema, interpolation, cross references
//
// It prints JSON on stdout for tests to inspect (the Dockerfile's parsed stages, or the
// normalised compose model) and every finding on stderr; the exit code is 1 when there is
// any finding, 2 when the check itself could not run.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
)

// offlineResolver answers BuildKit's base-image metadata lookups with a plain Linux image
// config instead of asking a registry.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	return ref, digest.FromBytes(cfg), cfg, nil
}

func checkDockerfile(path string) int {
	dt, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	sourceMap := llb.NewSourceMap(nil, filepath.Base(path), "Dockerfile", dt)
	sourceMap.Definition = &llb.Definition{}
	results, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{},
		SourceMap:    sourceMap,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	findings := 0
	for _, w := range results.Warnings {
		line := 0
		if len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		fmt.Fprintf(os.Stderr, "%s:%d: %s: %s (%s)\n", path, line, w.RuleName, w.Detail, w.URL)
		findings++
	}
	if results.Error != nil {
		fmt.Fprintf(os.Stderr, "%s: error: %s\n", path, results.Error.Message)
		findings++
	}
	parsed, err := describe(dt)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		return 1
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{"file": path, "findings": findings, "dockerfile": parsed})
	if findings > 0 {
		return 1
	}
	return 0
}

// describe returns the parsed stages, each command as BuildKit's typed instruction (its
// exported fields, plus "Instruction": the lower-case instruction name), for tests to inspect.
func describe(dt []byte) (map[string]any, error) {
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil, err
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(stages))
	for _, st := range stages {
		cmds := make([]map[string]any, 0, len(st.Commands))
		for _, c := range st.Commands {
			raw, err := json.Marshal(c)
			if err != nil {
				return nil, err
			}
			fields := map[string]any{}
			if err := json.Unmarshal(raw, &fields); err != nil {
				return nil, err
			}
			fields["Instruction"] = c.Name()
			if loc := c.Location(); len(loc) > 0 {
				fields["Line"] = loc[0].Start.Line
			}
			cmds = append(cmds, fields)
		}
		out = append(out, map[string]any{"Name": st.Name, "BaseName": st.BaseName, "Commands": cmds})
	}
	args := map[string]any{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				args[kv.Key] = *kv.Value
			} else {
				args[kv.Key] = nil
			}
		}
	}
	return map[string]any{"MetaArgs": args, "Stages": out}, nil
}

func checkCompose(path string) int {
	ctx := context.Background()
	opts, err := cli.NewProjectOptions(
		[]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithName("newswire"),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	project, err := opts.LoadProject(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		return 1
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	os.Stdout.Write(out)
	fmt.Println()
	return 0
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: dockercheck dockerfile|compose FILE")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "dockerfile":
		os.Exit(checkDockerfile(os.Args[2]))
	case "compose":
		os.Exit(checkCompose(os.Args[2]))
	default:
		fmt.Fprintln(os.Stderr, "usage: dockercheck dockerfile|compose FILE")
		os.Exit(2)
	}
}
