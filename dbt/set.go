package dbt

import (
	"fmt"
	"sort"
	"strings"
)

// Set is the configured projects, by name.
type Set struct {
	projects []*Project
	byName   map[string]*Project
}

// NewSet groups projects; their names must be unique.
func NewSet(projects ...*Project) (*Set, error) {
	s := &Set{byName: map[string]*Project{}}
	for _, p := range projects {
		key := strings.ToLower(p.Name())
		if s.byName[key] != nil {
			return nil, fmt.Errorf("two dbt projects are named %q", p.Name())
		}
		s.byName[key] = p
		s.projects = append(s.projects, p)
	}
	sort.Slice(s.projects, func(i, j int) bool { return s.projects[i].Name() < s.projects[j].Name() })
	return s, nil
}

// Open configures every project of cfgs (nothing is read yet).
func Open(cfgs []Config, opts Options) (*Set, error) {
	var ps []*Project
	for _, c := range cfgs {
		p, err := New(c, opts)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return NewSet(ps...)
}

// Projects returns the projects sorted by name.
func (s *Set) Projects() []*Project { return s.projects }

// Names returns the project names, sorted.
func (s *Set) Names() []string {
	out := make([]string, len(s.projects))
	for i, p := range s.projects {
		out[i] = p.Name()
	}
	return out
}

// Get returns the project named name (case-insensitive); an empty name
// means the only project, and is an error when there are several.
func (s *Set) Get(name string) (*Project, error) {
	if name == "" {
		switch len(s.projects) {
		case 0:
			return nil, fmt.Errorf("no dbt project is configured")
		case 1:
			return s.projects[0], nil
		}
		return nil, fmt.Errorf("several dbt projects are configured (%s): say which", strings.Join(s.Names(), ", "))
	}
	if p := s.byName[strings.ToLower(name)]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("no dbt project named %q (configured: %s)", name, strings.Join(s.Names(), ", "))
}
