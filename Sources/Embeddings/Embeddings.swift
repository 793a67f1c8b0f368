// The post-competency model and competency vectors (issue 3 fills this module).
