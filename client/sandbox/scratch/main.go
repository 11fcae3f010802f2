package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/datastack-mcp/datastack-mcp/schemas"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

func main() {
	ctx := context.Background()
	docs := map[string]*openapi3.T{}
	for _, p := range schemas.Providers {
		b, _ := schemas.Spec(p)
		l := openapi3.NewLoader()
		doc, err := l.LoadFromData(b)
		if err != nil {
			panic(err)
		}
		if err := doc.Validate(ctx); err != nil {
			fmt.Println(p, "validate:", err)
		}
		docs[p] = doc
		doc.Servers = openapi3.Servers{{URL: "http://" + p + ".sandbox.invalid"}}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			fmt.Println(p, "router:", err)
			continue
		}
		_ = r
		fmt.Println(p, "ok")
	}
	doc := docs["datafold"]
	r, _ := gorillamux.NewRouter(doc)
	try := func(body string) {
		req, _ := http.NewRequest("POST", "http://datafold.sandbox.invalid/api/v1/datadiffs", bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Key x")
		route, pp, err := r.FindRoute(req)
		if err != nil {
			fmt.Println("findroute", err)
			return
		}
		err = openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{Request: req, PathParams: pp, Route: route, Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}})
		fmt.Printf("%s -> %v\n", body, err)
	}
	try(`{}`)
	try(`{"data_source1_id":1,"data_source2_id":2,"table1":["A","B","c"],"table2":["A","B","d"],"pk_columns":["id"]}`)
	try(`{"data_source1_id":1,"data_source2_id":2,"table1":["A","B","c"],"table2":["A","B","d"],"pk_columns":["id"],"filter1":null}`)
	try(`{"data_source1_id":1,"data_source2_id":2,"table1":["A","B","c"],"table2":["A","B","d"],"pk_columns":["id"],"filter1":5}`)
	try(`{"data_source1_id":1,"data_source2_id":2,"table1":["A","B","c"],"table2":["A","B","d"],"pk_columns":["id"],"sampling_confidence":1000}`)
	try(`{"data_source1_id":"x","data_source2_id":2,"table1":["A","B","c"],"table2":["A","B","d"],"pk_columns":["id"]}`)
}
