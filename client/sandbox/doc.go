// Package sandbox is a placeholder.
package sandbox
